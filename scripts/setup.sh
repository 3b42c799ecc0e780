#!/usr/bin/env bash
# Sets up a development machine: system packages, .venv, Python and npm packages,
# compiled translations. Safe to run again: it only does what is missing.
#   scripts/setup.sh           runtime + test tools
#   scripts/setup.sh --ci      also PostGIS and Redis servers (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_SERVERS=0
[ "${1:-}" = "--ci" ] && WITH_SERVERS=1

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
# shellcheck source=scripts/apt_lock.sh
. scripts/apt_lock.sh

# --- system packages -------------------------------------------------------
first_available() {  # the first package name apt knows (names differ between Debian and Ubuntu releases)
  for name in "$@"; do
    if apt-cache show "$name" >/dev/null 2>&1; then echo "$name"; return; fi
  done
}
missing=()
need_pkg() { dpkg -s "$1" >/dev/null 2>&1 || missing+=("$1"); }

if command -v apt-get >/dev/null 2>&1; then
  gdal=$(first_available libgdal32 libgdal34t64 libgdal34 libgdal30 gdal-bin)
  geos=$(first_available libgeos-c1v5 libgeos-c1t64)
  # chromium: the browser tests drive Debian's Chromium (Playwright never downloads its own).
  # Reports: WeasyPrint needs Pango and HarfBuzz's subsetter; fonts-noto-core brings Noto Naskh/Sans Arabic;
  # poppler-utils (pdftotext, pdftoppm) lets the tests read the PDFs back.
  for pkg in ${gdal:-gdal-bin} ${geos:-libgeos-c1v5} libsqlite3-mod-spatialite libsqlite3-dev gettext gcc python3-dev \
             chromium fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils; do
    need_pkg "$pkg"
  done
  command -v npm >/dev/null 2>&1 || { need_pkg nodejs; need_pkg npm; }
  python3 -m venv --help >/dev/null 2>&1 || need_pkg python3-venv
  if [ "$WITH_SERVERS" = 1 ]; then
    pgver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$pgver" ]; then need_pkg "postgresql-$pgver-postgis-3"; else need_pkg postgresql; need_pkg postgis; fi
    command -v redis-server >/dev/null 2>&1 || need_pkg redis-server
    # Caddy reads deploy/caddy/Caddyfile in tests/config/test_deploy.py (the compose file's proxy).
    command -v caddy >/dev/null 2>&1 || need_pkg caddy
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO=none; fi
    if [ "$SUDO" = none ]; then
      echo "Missing system packages. Run this, then run me again:" >&2
      echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
      exit 1
    fi
    say "Installing system packages: ${missing[*]}"
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends "${missing[@]}"
  fi
else
  echo "No apt-get here: install GDAL, GEOS, PROJ, SpatiaLite (mod_spatialite), SQLite headers, gettext and Node.js by hand." >&2
fi

# --- Python ----------------------------------------------------------------
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  say "Creating .venv with $($PY --version)"
  $PY -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "Installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip wheel
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  echo "$want" > "$stamp"
fi

# --- front-end libraries (npm, never a CDN) --------------------------------
want_js=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat node_modules/.tansiq.sha 2>/dev/null)" != "$want_js" ]; then
  say "Installing front-end libraries from package-lock.json"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want_js" > node_modules/.tansiq.sha
fi

# --- translations ----------------------------------------------------------
.venv/bin/python manage.py compilemessages -l ar --ignore=.venv --ignore=node_modules >/dev/null
say "Setup complete"
