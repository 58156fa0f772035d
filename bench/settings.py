"""Settings for the benchmarks: production-like (DEBUG off, no test hooks), on a database and a Redis database
of their own so a benchmark never touches development data or a test run, and mail recorded, not sent."""

import os

from safeguarding.settings.base import *  # noqa: F403
from safeguarding.settings.base import DATABASES, env

DEBUG = False
DATABASES["default"].update(
    {
        "NAME": env("BENCH_DEADLINES_DATABASE_NAME", default="reachable_bench"),
        "USER": env("BENCH_DATABASE_USER", default=os.environ.get("USER", "root")),
        "PASSWORD": env("BENCH_DATABASE_PASSWORD", default=""),
        "HOST": env("BENCH_DATABASE_HOST", default="127.0.0.1"),
        "PORT": env("BENCH_DATABASE_PORT", default="5432"),
    }
)
# Not Redis database 15 (the test suite's): benchmarks and test runs share the machine, never a queue.
REDIS_URL = env("BENCH_DEADLINES_REDIS_URL", default="redis://127.0.0.1:6379/12")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "reachable-bench",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each message handed to the backend is recorded with the time it was handed over (bench/email_backend.py).
EMAIL_BACKEND = "bench.email_backend.RecordingEmailBackend"
BENCH_EMAIL_LOG = env("BENCH_EMAIL_LOG", default=None)
DEADLINES_TEST_HOOKS = False

# Experiments, off by default (the benchmark measures the production configuration). Each is a candidate
# change to safeguarding/settings/base.py whose effect the benchmark can show:
# - BENCH_DB_REUSE=1: keep worker database connections between tasks. Without CELERY_DB_REUSE_MAX, Celery's
#   Django fix-up closes the connection before and after every task, so each task opens a new PostgreSQL
#   backend (connect, authenticate, cold catalogue caches).
# - BENCH_SWEEP_QUEUE=1: the sweep on a queue of its own, so it never waits behind delivery tasks (the
#   benchmark's worker then consumes both queues).
if env.bool("BENCH_DB_REUSE", default=False):
    CELERY_DB_REUSE_MAX = 10_000
if env.bool("BENCH_SWEEP_QUEUE", default=False):
    CELERY_TASK_ROUTES = {"safeguarding.deadlines.tasks.sweep_deadlines": {"queue": "deadlines-sweep"}}
