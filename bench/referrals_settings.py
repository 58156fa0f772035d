"""Settings for the referrals benchmark (bench/referrals.py): production-like (DEBUG off), on a PostgreSQL
database and a Redis database of its own, with the URLconf that adds the bare comparison endpoint. Nothing
else mounts bench/bare_urls.py."""

import os

from safeguarding.settings.base import *  # noqa: F403
from safeguarding.settings.base import DATABASES, env

DEBUG = False
DATABASES["default"].update(
    {
        "NAME": env("BENCH_REFERRALS_DATABASE_NAME", default="reachable_bench_referrals"),
        "USER": env("BENCH_DATABASE_USER", default=os.environ.get("USER", "root")),
        "PASSWORD": env("BENCH_DATABASE_PASSWORD", default=""),
        "HOST": env("BENCH_DATABASE_HOST", default="127.0.0.1"),
        "PORT": env("BENCH_DATABASE_PORT", default="5432"),
        # Each gunicorn worker keeps its connection for the run, as in production.
        "CONN_MAX_AGE": 600,
    }
)
# Redis database 13: not the test suite's (15) nor the deadlines benchmark's (12).
REDIS_URL = env("BENCH_REFERRALS_REDIS_URL", default="redis://127.0.0.1:6379/13")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "reachable-bench-referrals",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Bench users are made in bulk: a fast hasher (no one signs in with a password).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ROOT_URLCONF = "bench.bare_urls"
DEADLINES_TEST_HOOKS = False
