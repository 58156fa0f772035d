"""Settings shared by every environment. Values that differ per machine come from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-never-use-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # Third party
    "rest_framework",
    "drf_spectacular",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "pgtrigger",
    "django_htmx",
    "health_check",
    # The cross-cutting core
    "safeguarding.common",
    "safeguarding.organisations",
    "safeguarding.accounts",
    "safeguarding.people",
    "safeguarding.deadlines",
    # Case work
    "audits",
    "cases",
    "cases.networks",
    "cases.chronology",
    "cases.missing",
    "cases.education",
    "cases.housing",
    "cases.nrm",
    "cases.records",
    "referrals",
    "panels",
    # Project wiring: `load_demo_data`, which imports every app above
    "safeguarding.demodata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safeguarding.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "safeguarding.common.middleware.ApplicationErrorMiddleware",
    "safeguarding.common.middleware.RejectNullCharactersMiddleware",
    # Axes last: it reads the outcome of authentication to count failures.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safeguarding.urls"
WSGI_APPLICATION = "safeguarding.wsgi.application"
ASGI_APPLICATION = "safeguarding.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "safeguarding.deadlines.context_processors.deadlines",
                "safeguarding.accounts.context_processors.menu",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://root@127.0.0.1:5432/reachable"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "reachable",
    }
}

AUTH_USER_MODEL = "organisations.User"
AUTHENTICATION_BACKENDS = [
    # Axes first so a locked-out account is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Sessions end after 30 minutes without a request (every request pushes the expiry on).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# django-otp: TOTP for every human user.
OTP_TOTP_ISSUER = "Reachable"

# django-axes: lock an account and address pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"

# django-guardian: no anonymous user row; object permissions are granted to agency groups.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# Content Security Policy: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "safeguarding" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Where the `default` storage keeps the documents and photos of a child's record (cases/records): under .data/,
# which git ignores. Never served by URL (there is no MEDIA_URL): only through the access-checked download. An
# S3-compatible store instead: STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", ...}.
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "safeguarding.accounts.authentication.HashedTokenAuthentication",
        "safeguarding.accounts.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "safeguarding.common.pagination.StrictLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "safeguarding.common.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Reachable API",
    "DESCRIPTION": "Multi-agency safeguarding case tracker. Every read of person data is audited.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "safeguarding.common.api.document_standard_errors",
    ],
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The one schedule. The sweep is cheap when nothing is due (a partial-index probe), so it runs every second.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "deadlines-sweep": {
        "task": "safeguarding.deadlines.tasks.sweep_deadlines",
        "schedule": env.float("DEADLINES_SWEEP_INTERVAL_SECONDS", default=1.0),
        "options": {"expires": 10},
    },
    # Unconfirmed network links whose review clock the sweep has breached lapse (cases/networks).
    "networks-alerts-sweep": {
        "task": "cases.networks.tasks.sweep_cross_case_alerts",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "networks-lapse-links": {
        "task": "cases.networks.tasks.lapse_unconfirmed_links",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
}
# The sweep has a queue of its own, so it never waits behind a backlog of deliveries. Workers consume both
# queues by default; production also runs a worker for the sweep queue alone (docker-compose.yml).
CELERY_TASK_QUEUES = (Queue("celery"), Queue("deadlines-sweep"))
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"safeguarding.deadlines.tasks.sweep_deadlines": {"queue": "deadlines-sweep"}}
# Keep workers' database connections between tasks (Celery otherwise reconnects for every task);
# safeguarding/celery.py still applies CONN_MAX_AGE and health checks around each task.
CELERY_DB_REUSE_MAX = 1000
# Redis broker: a task not acknowledged within this time is given to another worker. Our tasks are short, and
# nothing is ever scheduled far ahead (see safeguarding/celery.py), so a short timeout loses nothing.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
# No task may be scheduled further ahead than this: long ETA/countdown tasks live only in worker memory and
# Redis, and are redelivered or lost. Clocks live in PostgreSQL instead.
CELERY_MAX_ETA_SECONDS = 60
# An outbox message dispatched this long ago and still undelivered is dispatched again.
DEADLINES_REDISPATCH_AFTER_SECONDS = env.int("DEADLINES_REDISPATCH_AFTER_SECONDS", default=30)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# /healthz turns 503 when a running clock has been past due, or an escalation undelivered, this long.
# /healthz tells an anonymous caller only up or down; its details need this token (unset: nobody sees them).
HEALTHZ_TOKEN = env("HEALTHZ_TOKEN", default="")
DEADLINES_HEALTH_MAX_OVERDUE_SECONDS = env.int("DEADLINES_HEALTH_MAX_OVERDUE_SECONDS", default=30)
DEADLINES_HEALTH_MAX_UNDELIVERED_SECONDS = env.int("DEADLINES_HEALTH_MAX_UNDELIVERED_SECONDS", default=120)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Reachable <no-reply@reachable.invalid>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Failed sign-ins and lockouts are security events: keep them at WARNING and above.
        "axes": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "safeguarding.accounts": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
