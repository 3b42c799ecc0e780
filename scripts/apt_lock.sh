# Sourced by scripts/setup.sh: `apt_get ARGS...` runs `${SUDO} apt-get ARGS` and, when another program (an
# unattended upgrade, a software centre, another setup) holds the package manager's lock, waits for it up to
# TANSIQ_APT_LOCK_TIMEOUT seconds (300) with one clear message, instead of failing at once.
# dpkg's lock is waited for by apt itself (DPkg::Lock::Timeout); `apt-get update`'s lists lock is not (apt 2.6),
# so a run refused for a lock is tried again every APT_LOCK_POLL seconds until the deadline.
APT_LOCK_TIMEOUT=${TANSIQ_APT_LOCK_TIMEOUT:-300}
case "$APT_LOCK_TIMEOUT" in ''|*[!0-9]*) echo "TANSIQ_APT_LOCK_TIMEOUT=$APT_LOCK_TIMEOUT is not a number of seconds" >&2; exit 2;; esac

apt_get() {
  local deadline log rc holder waited=0
  deadline=$(( $(date +%s) + APT_LOCK_TIMEOUT ))
  log=$(mktemp)
  while true; do
    rc=0
    ${SUDO:-} env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout="$APT_LOCK_TIMEOUT" "$@" >"$log" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then rm -f "$log"; return 0; fi
    if ! grep -qE "Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock" "$log"; then
      cat "$log" >&2; rm -f "$log"; return "$rc"
    fi
    holder=$(grep -oE "held by process [0-9]+( \([^)]*\))?" "$log" | head -n 1 || true)
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "The package manager is busy: its lock is ${holder:-held by another program} and was not released" \
           "within ${APT_LOCK_TIMEOUT} s. Let that finish (or stop it), then run this again;" \
           "TANSIQ_APT_LOCK_TIMEOUT=SECONDS waits longer." >&2
      rm -f "$log"; return 75
    fi
    if [ "$waited" = 0 ]; then
      echo "Waiting up to ${APT_LOCK_TIMEOUT} s for the package manager's lock (${holder:-held by another program})..." >&2
      waited=1
    fi
    sleep "${APT_LOCK_POLL:-5}"
  done
}
