"""pytest: the real PostgreSQL and Redis, a fast password hasher, mail kept in memory."""

import os
import tempfile
from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
# A test database per pytest run, so that parallel runs on one machine (developers, CI) never collide.
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default=f"test_reachable_{os.getpid()}")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Worker subprocesses started by tests write mail to files the test can count (tests/deadlines/processes.py).
EMAIL_BACKEND = env("REACHABLE_TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("REACHABLE_TEST_EMAIL_FILE_PATH", default=None)
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
# Under pytest-xdist each worker (gw0, gw1, …) gets a Redis database of its own, because some tests FLUSHDB
# the broker, results and cache, or read the broker's queue. Not 0 (development) nor 12 and 13 (the
# benchmarks'). The mapping depends only on the worker's name, so a subprocess that a test starts (it inherits
# PYTEST_XDIST_WORKER and is handed this REDIS_URL) lands on the same database.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER:
    _worker_db = (14, 11, 10, 9, 8, 7, 6, 5)[int(_XDIST_WORKER.removeprefix("gw"))]
    REDIS_URL = urlsplit(REDIS_URL)._replace(path=f"/{_worker_db}").geturl()
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "reachable-test",
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# Documents uploaded by tests go to a folder of this run's own, never into the checkout.
MEDIA_ROOT = env("MEDIA_ROOT", default=tempfile.mkdtemp(prefix="reachable-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Lets crash tests hold a delivery between committing its row and sending (see deadlines/delivery.py).
DEADLINES_TEST_HOOKS = True
DEADLINES_REDISPATCH_AFTER_SECONDS = env.int("DEADLINES_REDISPATCH_AFTER_SECONDS", default=3)
# Serve static files straight from the app folders (no collectstatic in development and tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
