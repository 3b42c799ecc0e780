# Tansiq — the two commands: `make run` and `make test`.
PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: run test setup lint worker messages clean-db

run:
	bash scripts/run.sh

setup:
	bash scripts/setup.sh

# The whole suite: on PostGIS when DATABASE_URL is set, else on the embedded SpatiaLite.
# Tests marked `integration` need a real Celery worker and broker: they run when
# CELERY_BROKER_URL names Redis (as in CI) and are deselected, with a note, otherwise.
test: setup
	@if [ -n "$$CELERY_BROKER_URL" ] && [ "$${CELERY_BROKER_URL#redis}" != "$$CELERY_BROKER_URL" ]; then \
		echo "Running the whole suite (database: $${DATABASE_URL:-embedded SpatiaLite}, broker: $$CELERY_BROKER_URL)"; \
		$(PY) -m pytest $(PYTEST_ARGS); \
	else \
		echo "Running the suite on $${DATABASE_URL:-embedded SpatiaLite}; integration tests (real Celery worker) need CELERY_BROKER_URL=redis://... and are left out"; \
		$(PY) -m pytest -m "not integration" $(PYTEST_ARGS); \
	fi

lint: setup
	$(PY) -m ruff check .

worker:
	$(PY) -m celery -A config worker -B -l info

messages:
	$(PY) manage.py makemessages -l ar --ignore=.venv --ignore=node_modules --ignore=staticfiles
	$(PY) manage.py makemessages -d djangojs -l ar --ignore=.venv --ignore=node_modules --ignore=staticfiles
	$(PY) manage.py compilemessages -l ar --ignore=.venv --ignore=node_modules
