"""Settings shared by every environment. Values that differ come from the environment."""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import (
    broker_from_env,
    caches_from_env,
    database_from_env,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_rate,
    env_str,
    map_tiles_source,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("TANSIQ_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_filters",
    "leaflet",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "common",  # no models: the formatting filters (common.templatetags.tansiq_format)
    "accounts",
    "municipalities",
    "projects",
    "coordination",
    "demo",
    "ops",  # no models: backups and restore of the whole deployment (database and media)
]

MIDDLEWARE = [
    # First: the request's id (X-Request-ID) on every log record written while it is served, and on the response.
    "config.middleware.RequestIdMiddleware",
    # Then the count and time of every answer, by view name, for /metrics (config.metrics).
    "config.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A body larger than the API takes is refused by its declared size, before anything reads it.
    "config.middleware.ApiBodyLimitMiddleware",
    # An HTML error page under /api/ (Django's debug 404, say) answered in the API's error format instead.
    "config.middleware.ApiErrorFormatMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether the session gave its second factor (request.user.is_verified()): before the two below.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Every 403 answer, page or API, into the security log; then a session that owes its second factor held back.
    "accounts.middleware.RefusalLogMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a clear "locked" response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_env("DATABASE_URL", str(VAR_DIR / "tansiq.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Password guessing: after AXES_FAILURE_LIMIT failed logins for one username from one address,
# that pair is locked for AXES_COOLOFF_HOURS (django-axes, which keeps the attempts in the database).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("TANSIQ_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("TANSIQ_LOGIN_COOLOFF_HOURS", 1, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client's address for lock-outs and the security log alike: REMOTE_ADDR, or X-Forwarded-For only when the
# connection comes from one of TANSIQ_TRUSTED_PROXIES (addresses or networks of the reverse proxies in front).
TANSIQ_TRUSTED_PROXIES = env_networks("TANSIQ_TRUSTED_PROXIES")
AXES_CLIENT_IP_CALLABLE = "accounts.origin.client_ip"

# Two-factor sign-in (django-otp: an authenticator app, TOTP, and single-use recovery codes). Required of ministry
# administrators and superusers unless turned off here; anyone else may turn it on from their account page.
TANSIQ_2FA_REQUIRED_FOR_ADMINS = env_bool("TANSIQ_2FA_REQUIRED_FOR_ADMINS", True)
OTP_TOTP_ISSUER = env_str("TANSIQ_2FA_ISSUER", "Tansiq")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret

# The security log (accounts.SecurityEvent) keeps this many days; a daily task deletes older events.
TANSIQ_SECURITY_LOG_DAYS = env_int("TANSIQ_SECURITY_LOG_DAYS", 365, minimum=1)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Arabic first, English second.
LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Digits, separators and dates per language: the choice of common.formatting, for Django's own output too.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Africa/Tripoli"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Third-party front-end files come from npm (package.json + lock), never a CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/leaflet.markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# Uploaded import files (projects.exchange.services.jobs): the largest upload accepted (each format has its own
# cap too: 10 MB for spreadsheets, 50 MB for IATI XML), and the size or row count above which the check
# and the import run on the worker rather than during the request. Progress is written every N rows.
TANSIQ_IMPORT_MAX_BYTES = env_int("TANSIQ_IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
TANSIQ_IMPORT_BACKGROUND_BYTES = env_int("TANSIQ_IMPORT_BACKGROUND_BYTES", 512 * 1024, minimum=0)
TANSIQ_IMPORT_BACKGROUND_ROWS = env_int("TANSIQ_IMPORT_BACKGROUND_ROWS", 200, minimum=0)
TANSIQ_IMPORT_PROGRESS_EVERY = env_int("TANSIQ_IMPORT_PROGRESS_EVERY", 25, minimum=1)
# A job queued, checking or importing for longer than this is taken as abandoned by a dead worker.
TANSIQ_IMPORT_STALE_MINUTES = env_int("TANSIQ_IMPORT_STALE_MINUTES", 360, minimum=5)
# An analysis run recorded as running for longer than this is taken as abandoned by a dead worker (the nightly
# full scans take minutes at 100,000 projects).
TANSIQ_ANALYSIS_STALE_MINUTES = env_int("TANSIQ_ANALYSIS_STALE_MINUTES", 180, minimum=5)
# Exports of more projects than this run as a background job (progress, then a download link) rather than in the request.
TANSIQ_EXPORT_BACKGROUND_PROJECTS = env_int("TANSIQ_EXPORT_BACKGROUND_PROJECTS", 5000, minimum=0)
# An export job's file is kept this long after it is written (then the job and its file are removed, nightly);
# a job queued or running for longer than TANSIQ_EXPORT_STALE_MINUTES was left by a dead worker: marked failed.
TANSIQ_EXPORT_KEEP_HOURS = env_int("TANSIQ_EXPORT_KEEP_HOURS", 72, minimum=1)
TANSIQ_EXPORT_STALE_MINUTES = env_int("TANSIQ_EXPORT_STALE_MINUTES", 120, minimum=5)

# GDAL < 3.9 on Debian 12 triggers gis.W001; the features we use work with 3.6.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Maps: no tile server is reachable on a closed network; layers render on a blank
# background unless a tile URL is configured.
_TILES_URL = env_str("TANSIQ_MAP_TILES_URL")
_TILES_SOURCE = map_tiles_source(_TILES_URL)
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (27.0, 17.0),
    "DEFAULT_ZOOM": 5,
    "MIN_ZOOM": 4,
    "MAX_ZOOM": 18,
    "RESET_VIEW": False,
    "TILES": [(_("Map"), _TILES_URL, env_str("TANSIQ_MAP_TILES_ATTRIBUTION", ""))] if _TILES_URL else [],
    "ATTRIBUTION_PREFIX": "Tansiq",
}

# Headers of every answer. Content-Security-Policy (django-csp): scripts, styles, fonts and requests from this site
# only, and no inline script or style (the templates keep theirs in static/); images also as data: URIs
# (Bootstrap's icons are SVG data: URIs in its CSS) and from the map tiles host when one is configured; no plugins,
# no <base>, forms post only here, and no other site may frame a page. A nonce is added to script-src only on the
# few pages whose third-party templates ask for one (the admin's Leaflet geometry widget).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([_TILES_SOURCE] if _TILES_SOURCE else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Powerful browser features no page uses, switched off for the site and anything it might embed
# (config.middleware.PermissionsPolicyMiddleware): features Chromium and Firefox know, so no console warnings.
PERMISSIONS_POLICY = [
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation", "gyroscope", "hid",
    "idle-detection", "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
    "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    # Session first: the browser (and the docs page) use it, and an unauthenticated call gets 403 as before.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api_pagination.ApiPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("TANSIQ_API_THROTTLE_ANON", "60/minute"),
        "user": env_rate("TANSIQ_API_THROTTLE_USER", "1200/minute"),
    },
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
    # JSON only: bodies nest (a project's sectors, places and sites), which forms cannot carry, and the OpenAPI
    # document offers what the API reads. The upload endpoints (imports, attachments) take multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["config.api_parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The largest JSON (or form) body the API reads; uploads (multipart) may carry the largest file the API takes
# (TANSIQ_IMPORT_MAX_BYTES, TANSIQ_ATTACHMENT_MAX_BYTES) besides. Refused with 413 in the API's error format.
TANSIQ_API_MAX_BODY_BYTES = env_int("TANSIQ_API_MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
# Django refuses a body above DATA_UPLOAD_MAX_MEMORY_SIZE itself (2.5 MiB unless set): never below the API's limit,
# so that raising the limit raises it, and the API's own check answers first, in its own format.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, TANSIQ_API_MAX_BODY_BYTES)
# OpenAPI: /api/schema/ and the Swagger UI at /api/docs/, its files from drf-spectacular-sidecar (no CDN). Both are
# for signed-in users (the document maps every endpoint and field) unless this opens them to everyone.
TANSIQ_API_DOCS_PUBLIC = env_bool("TANSIQ_API_DOCS_PUBLIC", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "Tansiq API",
    "DESCRIPTION": (
        "Projects of international partners in Libya's municipalities, their updates and their review.\n\n"
        "Bodies are JSON (uploads: multipart). Lists are paged (`page`, from 1; a page that is not a number or "
        "past the last is a 400). Query parameters an operation does not document are ignored. Every error, "
        "on every path under /api/, has the body of the `Error` schema; `fields` gives each invalid input's "
        "messages. Sign in with `POST /api/v1/auth/token/` and send `Authorization: Token <token>`. This "
        "document is in English; `?lang=ar` gives it in Arabic."),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_errors.add_error_responses",
        "config.api_pagination.geojson_pages_as_served",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ActivityStatusEnum": "projects.models.ActivityStatus",
        "ReviewStateEnum": "projects.models.ReviewState",
        "FlagStatusEnum": "coordination.models.FlagStatus",
        "DuplicateKindEnum": "coordination.models.DuplicateFlag.Kind",
        "ImportJobKindEnum": "projects.models.ImportJob.Kind",
        "ImportJobStatusEnum": "projects.models.ImportJob.Status",
        "MeetingStatusEnum": "coordination.models.MeetingStatus",
        "ActionStatusEnum": "coordination.models.ActionStatus",
        "PlanStatusEnum": "municipalities.models.DevelopmentPlan.Status",
        "PlanLevelEnum": "municipalities.models.DevelopmentPlan.Level",
        "ObjectiveLinkStatusEnum": "coordination.models.ObjectiveLink.Status",
        "AlignmentFlagKindEnum": "coordination.models.AlignmentFlag.Kind",
    },
}

# Celery: Redis in production and CI; the embedded default runs tasks eagerly.
CELERY_BROKER_URL = broker_from_env("CELERY_BROKER_URL", "memory://")

# One cache for every process of the site (the map's shapes, API throttling): Redis in production and CI (CACHE_URL,
# or beside a Redis broker when CACHE_URL is unset), each process its own in memory in the embedded run. Login
# lock-outs (django-axes) and two-factor throttling (django-otp) are kept in the database: shared as well.
CACHES = caches_from_env("CACHE_URL", broker_url=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND")
# A task's message is acknowledged when the task ends, not when it starts: a worker killed in the middle (SIGKILL,
# out of memory, the machine gone) leaves it to the broker, which gives it to another worker once its visibility
# timeout has passed (Redis: an hour); a pool process killed in the middle has its task given back to the queue at
# once by the worker that survives it. Every task is safe to run twice (an import job already claimed does
# nothing; scans upsert their flags in one transaction). tests/integration/test_faults.py kills both.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 5, minimum=1)
CELERY_BEAT_SCHEDULE: dict = {
    "healthcheck-ping": {"task": "coordination.tasks.ping", "schedule": crontab(minute="*/30")},
    "duplicates-nightly": {"task": "coordination.tasks.duplicates_full_scan", "schedule": crontab(hour=1, minute=0)},
    "gaps-nightly": {"task": "coordination.tasks.gaps_full_analysis", "schedule": crontab(hour=2, minute=0)},
    "delays-nightly": {"task": "coordination.tasks.delays_full_scan", "schedule": crontab(hour=2, minute=30)},
    "alignment-nightly": {"task": "coordination.tasks.alignment_full_analysis", "schedule": crontab(hour=2, minute=45)},
    "reporting-periods-daily": {"task": "projects.tasks.reporting_periods_sync", "schedule": crontab(hour=6, minute=30)},
    "report-reminders-daily": {"task": "projects.tasks.send_report_reminders", "schedule": crontab(hour=7, minute=0)},
    "import-jobs-stale-hourly": {"task": "projects.tasks.import_jobs_fail_stale", "schedule": crontab(minute=15)},
    "export-jobs-expire-nightly": {"task": "projects.tasks.export_jobs_expire", "schedule": crontab(hour=3, minute=15)},
    # Before the nightly scans (and every night after): analysis runs a killed worker left "running" marked failed.
    "analysis-runs-stale-nightly": {"task": "coordination.tasks.analysis_runs_fail_stale",
                                    "schedule": crontab(hour=0, minute=50)},
    "security-log-prune-daily": {"task": "accounts.tasks.security_events_prune", "schedule": crontab(hour=3, minute=30)},
    # Before the nightly scans: the backup holds the day's work as people left it.
    "backup-nightly": {"task": "ops.tasks.backup_nightly", "schedule": crontab(hour=0, minute=30)},
}

# /metrics for Prometheus (config.metrics): only with this token set (Authorization: Bearer <token>); unset, 404.
TANSIQ_METRICS_TOKEN = env_str("TANSIQ_METRICS_TOKEN", "") or ""

# Backups (ops.backups; manage.py backup / restore): where the nightly backup goes, and how many are kept.
TANSIQ_BACKUP_DIR = Path(env_str("TANSIQ_BACKUP_DIR", str(VAR_DIR / "backups")))
TANSIQ_BACKUP_KEEP = env_int("TANSIQ_BACKUP_KEEP", 7, minimum=1)

# Analyses. Delay thresholds (coordination.analysis.delays): the defaults are the demo generator's
# truth definitions, so the engine and the planted ground truth agree.
TANSIQ_DELAY_THRESHOLDS = {
    "late_start_days": 90,  # actual start later than planned start by more than this
    "silence_days": 90,  # the reporting period: no accepted update for longer than this
    "behind_elapsed": 0.8,  # share of the planned period elapsed ...
    "behind_progress": 30,  # ... while reported progress is at most this many percent
}
# Coverage gaps (coordination.analysis.gaps): see that module for the gap score formula.
TANSIQ_GAP_SETTINGS = {
    "need_severity_min": 3,  # a sector with a need this severe and no active project is "unreached"
    "usd_per_person_reference": 100.0,  # R: USD per person that covers about 63% of a need
    "presence_factor": 0.8,  # each active project multiplies the gap by this
    "unknown_need_severity": 2,  # the severity assumed where no need is recorded
}
# Alignment with the development plans (coordination.analysis.alignment); checked strictly at start-up.
TANSIQ_ALIGNMENT_SETTINGS = {
    "suggest_threshold": 0.7,  # a project ↔ objective suggestion needs this score
    "outside_threshold": 0.7,  # no approved objective scoring this: "outside every approved plan"
    "priority_top": 3,  # a municipality's priorities: its plan's objectives ranked 1 to this
    "funded_ratio": 0.8,  # money at least this share of the cost: funded; less: partly funded
    "concentrated_share": 0.6,  # share of a municipality's money outside its priority sectors that is flagged
    "concentrated_min_usd": 100_000.0,  # municipalities with less active money are not judged
}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "tansiq@localhost")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "config.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # Every security event is logged here too (INFO), and at ERROR if it could not be stored in the database.
    "loggers": {"tansiq.security": {"level": "INFO"}},
}

# Reporting (projects.reporting): attachments to updates, the reporting calendar and its reminders.
TANSIQ_ATTACHMENT_MAX_BYTES = env_int("TANSIQ_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
TANSIQ_ATTACHMENT_MAX_PER_UPDATE = env_int("TANSIQ_ATTACHMENT_MAX_PER_UPDATE", 20, minimum=1)
TANSIQ_REPORT_GRACE_DAYS = env_int("TANSIQ_REPORT_GRACE_DAYS", 15, minimum=0)
TANSIQ_REMINDER_DAYS_BEFORE = env_int("TANSIQ_REMINDER_DAYS_BEFORE", 7, minimum=0)
# Reminder e-mails give links as paths; with this (e.g. https://tansiq.example.ly) they are full addresses.
TANSIQ_SITE_URL = (env_str("TANSIQ_SITE_URL", "") or "").rstrip("/")

# The ministry's IATI organisation identifier, used as the (secondary) reporting organisation of
# exported activities. "LY-MOLG" is a placeholder until the ministry registers its own.
IATI_REPORTING_ORG_REF = env_str("TANSIQ_IATI_REPORTING_ORG_REF", "LY-MOLG")
