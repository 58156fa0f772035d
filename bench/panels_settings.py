"""Settings for the panels benchmark (bench/panels.py): production-like (DEBUG off) on a PostgreSQL database of
its own. It runs no Celery worker and needs no Redis: the clocks' announcements are published to an in-memory
broker that nothing reads, and the cache is in-process."""

import os

from safeguarding.settings.base import *  # noqa: F403
from safeguarding.settings.base import DATABASES, env

DEBUG = False
DATABASES["default"].update(
    {
        "NAME": env("BENCH_PANELS_DATABASE_NAME", default="reachable_bench_panels"),
        "USER": env("BENCH_DATABASE_USER", default=os.environ.get("USER", "root")),
        "PASSWORD": env("BENCH_DATABASE_PASSWORD", default=""),
        "HOST": env("BENCH_DATABASE_HOST", default="127.0.0.1"),
        "PORT": env("BENCH_DATABASE_PORT", default="5432"),
    }
)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = "cache+memory://"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEADLINES_TEST_HOOKS = False
