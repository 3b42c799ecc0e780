#!/usr/bin/env bash
# `make run`: set up, migrate, load reference and demo data on first run, then serve.
set -euo pipefail
cd "$(dirname "$0")/.."
# The port to serve on (PORT=8080 make run); checked before anything is installed.
PORT=${PORT:-8000}
case "$PORT" in
  ''|*[!0-9]*) echo "PORT=$PORT is not a port number (1-65535)" >&2; exit 2 ;;
esac
if [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then echo "PORT=$PORT is not a port number (1-65535)" >&2; exit 2; fi
bash scripts/setup.sh
PY=.venv/bin/python
mkdir -p var
$PY manage.py migrate --noinput
$PY manage.py load_reference_data
BOUNDARIES=${TANSIQ_DISTRICT_BOUNDARIES:-../shared/data/lby_adm2_mantika.geojson}
if [ -f "$BOUNDARIES" ]; then
  $PY manage.py import_boundaries "$BOUNDARIES" --level district
else
  echo "No district boundary file at $BOUNDARIES: municipality areas are derived from the country outline."
fi
if [ ! -f var/.demo-seeded ]; then
  $PY manage.py seed_demo --projects "${TANSIQ_DEMO_PROJECTS:-2000}" --seed 1 --government --truth var/demo-truth.json
  # First flags, so the review queues are not empty (nightly jobs keep them current afterwards).
  $PY manage.py detect_duplicates --full
  $PY manage.py detect_delays --save --format json > /dev/null
  $PY manage.py analyse_gaps --save --format json > /dev/null
  touch var/.demo-seeded
fi
# The stored reporting calendar (seed_demo builds it; this fills it once after an upgrade, then is a no-op).
$PY manage.py sync_reporting_periods -v 0
$PY manage.py ensure_admin
$PY manage.py collectstatic --noinput -v 0
echo "Serving Tansiq on http://127.0.0.1:$PORT (Ctrl-C to stop)"
exec $PY manage.py runserver "127.0.0.1:$PORT"
