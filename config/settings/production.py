"""Production: everything secret or host-specific must come from the environment."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str
from config.settings.base import *  # noqa: F403
from config.settings.base import ALLOWED_HOSTS, DATABASES, LOGGING

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", required=True)
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production.")
if DATABASES["default"]["ENGINE"] != "django.contrib.gis.db.backends.postgis":
    raise ImproperlyConfigured("Production needs DATABASE_URL pointing at PostgreSQL with PostGIS.")

# Whether a request came over HTTPS is gunicorn's answer (wsgi.url_scheme): it reads X-Forwarded-Proto only from
# the addresses in --forwarded-allow-ips (docker-compose.yml: the proxy's fixed address on the private `edge`
# network, which only the proxy shares with the app, whose port is not published). Django's own
# SECURE_PROXY_SSL_HEADER would believe the header from anyone who reaches the app: only for a server that cannot
# do this itself, with DJANGO_SECURE_PROXY_SSL_HEADER=true.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Container health checks (config/healthcheck.py) ask /healthz over plain HTTP on the loopback, with this Host:
# it is allowed, and /healthz is not redirected to HTTPS. The proxy forwards only the site's own host names.
TANSIQ_HEALTHCHECK_HOST = env_str("TANSIQ_HEALTHCHECK_HOST", "localhost")
ALLOWED_HOSTS = [*ALLOWED_HOSTS, *([TANSIQ_HEALTHCHECK_HOST] if TANSIQ_HEALTHCHECK_HOST not in ALLOWED_HOSTS else [])]
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
# Content-Security-Policy, Permissions-Policy, Referrer-Policy, X-Frame-Options and nosniff: base.py, everywhere.

# Reminder e-mails must leave the machine: SMTP unless told otherwise (DJANGO_EMAIL_HOST etc.).
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# Structured logs: one JSON object a line (config.logs.JsonFormatter), each with its request or task id.
# DJANGO_LOG_FORMAT=text keeps Django's plain lines (e.g. while debugging on the host).
if env_str("DJANGO_LOG_FORMAT", "json") == "json":
    LOGGING = {**LOGGING, "handlers": {**LOGGING["handlers"],
                                       "console": {**LOGGING["handlers"]["console"], "formatter": "json"}}}
