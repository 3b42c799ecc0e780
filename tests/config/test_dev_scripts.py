"""`make run` on a busy machine: scripts/setup.sh waits for the package manager's lock (scripts/apt_lock.sh) with a
timeout and a clear message, and scripts/run.sh serves on PORT. A fake apt-get stands in for the real one."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FAKE_APT = """#!/usr/bin/env bash
echo "$@" >> "$FAKE_DIR/calls"
n=$(cat "$FAKE_DIR/count" 2>/dev/null || echo 0); echo $((n + 1)) > "$FAKE_DIR/count"
if [ "$FAKE_MODE" = other ]; then echo "E: Unable to locate package nosuch" >&2; exit 100; fi
if [ "$FAKE_MODE" = lock ] || [ "$n" -lt "${FAKE_LOCKED_TIMES:-0}" ]; then
  echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (unattended-upgr)" >&2
  echo "E: Unable to lock directory /var/lib/apt/lists/" >&2
  exit 100
fi
echo "Reading package lists..."
"""


def _apt_get(tmp_path: Path, mode: str, **env: str) -> subprocess.CompletedProcess:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "apt-get"
    fake.write_text(FAKE_APT)
    fake.chmod(0o755)
    environment = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_DIR": str(tmp_path), "FAKE_MODE": mode,
                   "APT_LOCK_POLL": "0.1", **env}
    script = ". scripts/apt_lock.sh; SUDO=''; apt_get update -qq"
    return subprocess.run(["bash", "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=60)


def test_apt_waits_for_a_lock_that_is_released(tmp_path):
    done = _apt_get(tmp_path, "release", FAKE_LOCKED_TIMES="3", TANSIQ_APT_LOCK_TIMEOUT="30")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "count").read_text().strip() == "4"  # three refusals, then through
    assert done.stderr.count("Waiting up to 30 s for the package manager's lock") == 1
    assert "held by process 4242 (unattended-upgr)" in done.stderr
    assert all("-o DPkg::Lock::Timeout=30 update -qq" in call for call in (tmp_path / "calls").read_text().splitlines())


def test_apt_gives_up_after_the_timeout_with_a_clear_message(tmp_path):
    done = _apt_get(tmp_path, "lock", TANSIQ_APT_LOCK_TIMEOUT="1")
    assert done.returncode == 75
    assert "The package manager is busy: its lock is held by process 4242 (unattended-upgr)" in done.stderr
    assert "not released within 1 s" in done.stderr and "TANSIQ_APT_LOCK_TIMEOUT" in done.stderr
    assert int((tmp_path / "count").read_text()) >= 2


def test_apt_passes_other_errors_through_at_once(tmp_path):
    done = _apt_get(tmp_path, "other", TANSIQ_APT_LOCK_TIMEOUT="30")
    assert done.returncode == 100
    assert "Unable to locate package nosuch" in done.stderr and "Waiting" not in done.stderr
    assert (tmp_path / "count").read_text().strip() == "1"


def test_setup_uses_the_waiting_apt_get():
    setup = (ROOT / "scripts/setup.sh").read_text()
    assert ". scripts/apt_lock.sh" in setup
    assert "apt_get update" in setup and "apt_get install" in setup
    assert "$SUDO apt-get" not in setup


def test_run_refuses_a_port_that_is_not_one_before_installing_anything():
    for port in ("http", "0", "70000", "80a"):
        done = subprocess.run(["bash", "scripts/run.sh"], cwd=ROOT, env={**os.environ, "PORT": port},
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 2, port
        assert f"PORT={port} is not a port number" in done.stderr
        assert "==>" not in done.stdout  # setup.sh did not start


def test_run_serves_on_port():
    run = (ROOT / "scripts/run.sh").read_text()
    assert 'PORT=${PORT:-8000}' in run
    assert run.rstrip().endswith('exec $PY manage.py runserver "127.0.0.1:$PORT"')
