"""Settings, all from the environment (12-factor).

Variables: DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS, HTTPS,
CSRF_TRUSTED_ORIGINS, STATIC_MANIFEST, CELERY_TASK_ALWAYS_EAGER, SMS_BACKEND, LOG_LEVEL,
CELERY_TASK_SOFT_TIME_LIMIT, CELERY_TASK_TIME_LIMIT, RETENTION_*_DAYS, CARD_SIGNING_KEY,
CARD_VERIFICATION_KEYS, TRUSTED_PROXIES and the sign-in and session limits (README,
"Security and operations").
See README.md, "Configuration".
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from onboarding.embedded_db import embedded_database

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-never-used-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Under /api/ a refused CSRF check answers in the API's JSON error shape.
CSRF_FAILURE_VIEW = "api.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "phonenumber_field",
    "pgtrigger",
    "django_celery_beat",
    "axes",
    # The domain, lowest layer first (the import contracts in pyproject.toml).
    "geography",
    "accounts",
    "audit",
    "api",
    "outbox",
    "programmes",
    "campaigns",
    "registry",
    "partners",
    "outreach",
    "dedup",
    "sharing",
    "dashboards",
    "tracker",
    "demo",
    "shell",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files keep their long cache; every page gets no-store.
    "onboarding.security.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.StaffSessionExpiryMiddleware",
    "accounts.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in with its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onboarding.urls"
WSGI_APPLICATION = "onboarding.wsgi.application"

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
                "accounts.context_processors.roles",
            ],
        },
    },
]

# Widgets (the village picker) render from templates/ like every other template.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {"default": embedded_database(VAR_DIR / "pgdata")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ----------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# The test suite runs in several processes (pytest-xdist, scripts/test.sh): each gets its
# own Redis database, as each gets its own test database, so their rate-limit counters,
# caches and test workers' queues never meet.
_TEST_PROCESS = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _TEST_PROCESS.startswith("gw"):
    REDIS_URL = urlsplit(REDIS_URL)._replace(path=f"/{1 + int(_TEST_PROCESS[2:])}").geturl()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "onboarding.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "onboarding",
            # A Redis that hangs must not hang requests: the rate limits fail open when
            # it does not answer in time (api/throttling.py).
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CACHE_TIMEOUT", default=1.0),
                "socket_timeout": env.float("REDIS_CACHE_TIMEOUT", default=1.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Without Redis there is no worker: tasks run inline, in the process that enqueued them.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# Tasks are idempotent and take ids: acknowledge after the work, so a lost worker's
# task is delivered again instead of being dropped.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Three queues, so a long dedup batch or bulk file never holds up a text message:
# run `worker -Q celery,sms` and `worker -Q bulk` apart (docker-compose.yml); a worker
# started without -Q consumes all three (development).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue("celery"), Queue("sms"), Queue("bulk")]
CELERY_TASK_ROUTES = {
    "registry.tasks.sms_deliver": {"queue": "sms"},
    "registry.tasks.sms_deliver_many": {"queue": "sms"},
    "registry.tasks.sms_retry_pending": {"queue": "sms"},
    "dedup.tasks.dedup_people": {"queue": "bulk"},
    "dedup.tasks.dedup_batch_run": {"queue": "bulk"},
    "partners.tasks.intake_validate": {"queue": "bulk"},
    "partners.tasks.intake_commit": {"queue": "bulk"},
}
# A task past its soft limit is told to stop (SoftTimeLimitExceeded), past the hard limit
# its process is killed and, acks_late, the task is delivered again. The whole-registry
# dedup run resumes chunk by chunk and may take hours.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=10 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_ANNOTATIONS = {
    "dedup.tasks.dedup_batch_run": {"soft_time_limit": 6 * 3600, "time_limit": 6 * 3600 + 300}
}
# A task taken by a worker that vanished (the machine lost) is delivered again after
# this long: longer than any acks_late task's hard limit, or it would run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_TIMEZONE = "Asia/Phnom_Penh"

# --- Authentication --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# django-axes first: a locked-out username and address is refused before the password
# is even checked (README, "Security and operations", "Sign-in protection").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
# Keyed on the pair: one address guessing one account is stopped, while a colleague at
# the same branch (same address) or the account's owner elsewhere can still sign in.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "api.client_address.client_address"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Its log lines name a digest of the pair, never the username or the address.
AXES_CLIENT_STR_CALLABLE = "accounts.sign_in_log.axes_client_str"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Whom the client is: X-Forwarded-For is honoured only from these proxies (addresses or
# networks, comma-separated), see api/client_address.py.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Staff sessions end after STAFF_SESSION_IDLE_MINUTES without a request and at the
# latest STAFF_SESSION_MAX_HOURS after sign-in (accounts.middleware); the cookie itself
# lives no longer than that.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
STAFF_SESSION_MAX_HOURS = env.int("STAFF_SESSION_MAX_HOURS", default=10)
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_HOURS * 60 * 60

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation: Khmer first -------------------------------------------------
LANGUAGE_CODE = "km"
LANGUAGES = [("km", _("Khmer")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Asia/Phnom_Penh"
USE_I18N = True
USE_TZ = True

PHONENUMBER_DEFAULT_REGION = "KH"
PHONENUMBER_DB_FORMAT = "E164"

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
# Production serves hashed, compressed files collected by collectstatic; development
# and the test suite serve straight from the source folders.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# --- Security: HTTPS on unless told otherwise (only local runs and tests turn it off) ---
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Features no page uses, switched off for the page and anything it might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)
# No inline script, style or handler anywhere: every script and style is a file of our
# own origin (static/js, static/css, static/vendor). README, "Headers and CSP".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- REST API --------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # A registrant's token (the mobile app) gets a clear 401 on the staff API.
        "registry.api.staff_auth.RefuseRegistrantTokens",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    # Counted in the default cache (Redis in production); see api/throttling.py.
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonThrottle",
        "api.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="30/min"),
        "user": env.str("API_THROTTLE_USER", default="120/min"),
        "registrant_create": env.str("API_THROTTLE_REGISTRANT_CREATE", default="600/min"),
        "intake_upload": env.str("API_THROTTLE_INTAKE_UPLOAD", default="30/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Informal economy onboarding API",
    "DESCRIPTION": (
        "Registrants, geography look-ups and bulk intake for partner systems and the "
        "CAM-IE mobile app. Authenticate with `Authorization: Token <key>`. Every POST "
        "honours `Idempotency-Key`; every error has one shape, in the language of "
        "`Accept-Language` (km, the default, or en). See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "ENUM_NAME_OVERRIDES": {
        "ApiChannelEnum": [("api", "api"), ("app", "app")],
        # Person.Status and Channel: named once, for every component that shows them.
        "StatusEnum": [("active", "active"), ("withdrawn", "withdrawn"), ("merged", "merged")],
        "ChannelEnum": [
            (value, value) for value in ("self", "app", "branch", "bulk", "api", "campaign")
        ],
    },
    "REDOC_DIST": "SIDECAR",
    # RefuseRegistrantTokens (first of the defaults) only refuses: it is no scheme to show.
    "AUTHENTICATION_WHITELIST": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "registry.api.registrant_auth.RegistrantTokenAuthentication",
        "sharing.api.auth.ProgrammeTokenAuthentication",
    ],
}
# An Idempotency-Key is remembered this long (seconds); `manage.py purge_idempotency`.
API_IDEMPOTENCY_TTL = env.int("API_IDEMPOTENCY_TTL", default=24 * 60 * 60)
# A key still "processing" after this long belongs to a request that died (gunicorn
# kills a worker after its timeout, 30 s by default): a retry may take it over.
API_IDEMPOTENCY_PROCESSING_TIMEOUT = env.int("API_IDEMPOTENCY_PROCESSING_TIMEOUT", default=120)

# --- Logging: to stdout, never personal data -------------------------------------------
# Django logs the path of every 4xx/5xx answer and runserver every request line: their
# registration numbers and query strings are masked (onboarding/log_privacy.py), on the
# loggers that write them and on the console for anything else.
_REDACTED = {"filters": ["redact_paths"]}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_paths": {"()": "onboarding.log_privacy.PathRedactingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_paths"],
        }
    },
    "loggers": {
        "django.request": _REDACTED,
        "django.security.csrf": _REDACTED,
        # runserver's request lines (development): to the console, as Django's default
        # does, once (it does not propagate).
        "django.server": {**_REDACTED, "handlers": ["console"], "propagate": False},
        # The card PDF's layout engine reports every step at INFO: only its problems matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- The official shell (shell app): who runs the portal, how to reach them ----------
# Each *_KM / *_EN pair is shown on pages of that language (one set alone serves both).
MINISTRY_NAME_KM = env.str("MINISTRY_NAME_KM", default="ក្រសួងការងារ និងបណ្តុះបណ្តាលវិជ្ជាជីវៈ")
MINISTRY_NAME_EN = env.str("MINISTRY_NAME_EN", default="Ministry of Labour and Vocational Training")
# The emblem in the header: an .svg, .png, .webp or .jpg file; empty for the neutral seal.
EMBLEM_FILE = env.str("EMBLEM_FILE", default="")
CONTACT_HOTLINE = env.str("CONTACT_HOTLINE", default="")
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="")
CONTACT_HOURS_KM = env.str("CONTACT_HOURS_KM", default="")
CONTACT_HOURS_EN = env.str("CONTACT_HOURS_EN", default="")
CONTACT_ADDRESS_KM = env.str("CONTACT_ADDRESS_KM", default="")
CONTACT_ADDRESS_EN = env.str("CONTACT_ADDRESS_EN", default="")

# --- Domain settings -------------------------------------------------------------------
# The outbox writes texts, codes included, to a file: development only. A deployment
# (DEBUG off) sends through the gateway unless told otherwise.
SMS_BACKEND = env.str(
    "SMS_BACKEND",
    default="registry.sms.OutboxBackend" if DEBUG else "registry.sms.HttpGatewayBackend",
)
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
# Where the development OutboxBackend appends the texts it "delivers".
SMS_OUTBOX_PATH = env.path("SMS_OUTBOX_PATH", default=VAR_DIR / "sms-outbox.jsonl")

# Dedup weights retrained on reviewers' decisions (`manage.py dedup_retrain`) are written
# here and used from the next check on; while the file is absent, the weights shipped in
# dedup/engine/weights.json are used.
DEDUP_WEIGHTS_PATH = env.path("DEDUP_WEIGHTS_PATH", default=VAR_DIR / "dedup-weights.json")

# Beat runs with django-celery-beat's database scheduler: these entries are written to
# its tables when beat starts (administrators see them, and may pause one, in /admin/),
# and entries that other features create in the database (the programmes' export
# schedules, managed in /admin/ and on the programme's page) run too.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "sms-retry-pending": {"task": "registry.tasks.sms_retry_pending", "schedule": 300.0},
    "export-files-purge": {"task": "sharing.tasks.export_files_purge", "schedule": 3600.0},
    "export-jobs-reap": {"task": "sharing.tasks.export_jobs_reap", "schedule": 600.0},
    # Tasks kept while Redis was down (onboarding.jobs, outbox).
    "outbox-drain": {"task": "outbox.tasks.outbox_drain", "schedule": 60.0},
    # Retention (README, "Security and operations"): at night, Phnom Penh time.
    "purge-expired-sessions": {
        "task": "accounts.tasks.expired_sessions_purge",
        "schedule": crontab(hour=1, minute=10),
    },
    "purge-idempotency-records": {
        "task": "api.tasks.idempotency_records_purge",
        "schedule": crontab(minute=25),
    },
    "purge-phone-codes": {
        "task": "registry.tasks.phone_codes_purge",
        "schedule": crontab(hour=1, minute=40),
    },
    "purge-sms-messages": {
        "task": "registry.tasks.sms_messages_purge",
        "schedule": crontab(hour=1, minute=55),
    },
    "purge-intake-files": {
        "task": "partners.tasks.intake_batches_purge",
        "schedule": crontab(hour=2, minute=10),
    },
    "registrant-tokens-purge": {
        "task": "registry.tasks.registrant_tokens_purge_expired",
        "schedule": 86400.0,
    },
    # Dashboards: recount what changed since the last run, so figures lag a registration
    # by at most this much plus the run itself (README, "Dashboards").
    "dashboards-rollups-refresh": {
        "task": "dashboards.tasks.rollups_refresh_due",
        "schedule": env.float("DASHBOARD_REFRESH_SECONDS", default=20.0),
        "options": {"expires": 60},
    },
}
# No broker, so no beat (the demo on its embedded database): the dashboard pages recount
# what changed since the last count before they answer.
DASHBOARD_REFRESH_ON_VIEW = env.bool("DASHBOARD_REFRESH_ON_VIEW", default=not REDIS_URL)
# How long what is kept only for a while is kept, in days (sessions: SESSION_COOKIE_AGE;
# Idempotency-Key answers: API_IDEMPOTENCY_TTL).
RETENTION_PHONE_CODE_DAYS = env.int("RETENTION_PHONE_CODE_DAYS", default=2)
RETENTION_SMS_DAYS = env.int("RETENTION_SMS_DAYS", default=90)
RETENTION_INTAKE_DAYS = env.int("RETENTION_INTAKE_DAYS", default=30)

# Programme export files (sharing): a private folder, never served as media.
EXPORTS_ROOT = env.path("EXPORTS_ROOT", default=VAR_DIR / "exports")
# A running export that gave no sign of life for this long lost its worker: marked failed.
EXPORT_STALE_SECONDS = env.int("EXPORT_STALE_SECONDS", default=3600)

# /verify/ look-ups per client address (a rate such as "60/min"): a public check must not
# serve as a way to walk every registration number.
VERIFY_RATE_LIMIT = env.str("VERIFY_RATE_LIMIT", default="60/min")

# Bulk intake files (partners.intake): refused above this size or this many rows.
INTAKE_MAX_BYTES = env.int("INTAKE_MAX_BYTES", default=20 * 1024 * 1024)
INTAKE_MAX_ROWS = env.int("INTAKE_MAX_ROWS", default=100_000)

# --- Card signing keys (registry.card_signing; README, "Card signing keys") -----------
# The Ed25519 key that signs the code in every card's QR, `<key id>:<seed, base64url>`,
# and earlier keys whose cards stay valid after a rotation (`<key id>:<public key>`, ...).
CARD_SIGNING_KEY = env.str("CARD_SIGNING_KEY", default="")
CARD_VERIFICATION_KEYS = env.list("CARD_VERIFICATION_KEYS", default=[])
if not CARD_SIGNING_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "CARD_SIGNING_KEY must be set when DEBUG is off: it signs the QR code of every "
            "registration card. Make one with `DEBUG=true python manage.py card_key_new "
            "KEY_ID` and keep it secret (README, 'Card signing keys')."
        )
    # Development only: this key is published here, so cards it signs prove nothing.
    CARD_SIGNING_KEY = "development:sy85074IdqAhlGFLkXT9REtcob-X-hnuEuKFD2tFQUk"

# Hostile files (README, "Intake limits"): the longest cell, what an XLSX may unpack to
# in all, and any part of it but a worksheet (the shared-string table is read whole).
INTAKE_MAX_CELL_CHARS = env.int("INTAKE_MAX_CELL_CHARS", default=1_000)
INTAKE_MAX_UNPACKED_BYTES = env.int("INTAKE_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024)
INTAKE_MAX_PART_BYTES = env.int("INTAKE_MAX_PART_BYTES", default=32 * 1024 * 1024)
