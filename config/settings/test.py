"""Tests: PostGIS when DATABASE_URL is set, SpatiaLite otherwise; fast hashing."""

from config.env import env_str
from config.settings.base import *  # noqa: F403

SECRET_KEY = env_str("SECRET_KEY", "tests-only-not-a-secret")
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests run tasks in-process; the integration tests start a real worker and
# switch eager mode off for themselves.
CELERY_TASK_ALWAYS_EAGER = True
# Throttling is tested on its own (tests/projects/test_api.py); the rest of the suite must not hit it.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},  # noqa: F405
                  # The API reads JSON bodies (uploads: multipart, which those tests ask for by name).
                  "TEST_REQUEST_DEFAULT_FORMAT": "json"}

# The embedded SpatiaLite test database lives in a file, not in memory: threads that write at
# the same time (overlapping scans) and a real Celery worker process can then share it.
if DATABASES["default"]["ENGINE"] == "config.db.spatialite":  # noqa: F405
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-tansiq.sqlite3")}  # noqa: F405
