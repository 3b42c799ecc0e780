"""Development and the embedded default: SpatiaLite under var/, eager Celery, DEBUG on."""

import secrets

from config.env import env_bool, env_str
from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR

DEBUG = env_bool("DJANGO_DEBUG", True)


def _local_secret_key() -> str:
    # A per-machine key kept out of the repository, created on first start.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY") or _local_secret_key()

# E-mail (report reminders) is printed to the console unless a backend is configured.
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
