"""The one Celery app. Tasks are discovered from every installed app's tasks.py."""

import os
from datetime import UTC, datetime
from typing import Any

from celery import Celery
from celery.signals import before_task_publish

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings.local")

app = Celery("safeguarding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class LongEtaRefused(RuntimeError):
    """A task was scheduled further ahead than CELERY_MAX_ETA_SECONDS."""


@before_task_publish.connect(dispatch_uid="refuse-long-eta")
def refuse_long_eta(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """With the Redis broker, a task with a long ETA sits in a worker's memory, is redelivered after the
    visibility timeout and vanishes on a flush. Deadlines therefore live in PostgreSQL; this guard makes any
    code that tries to schedule far ahead fail loudly, in tests and in production alike."""
    from django.conf import settings

    eta = (headers or {}).get("eta")
    if not eta:
        return
    moment = datetime.fromisoformat(eta)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    ahead = (moment - datetime.now(UTC)).total_seconds()
    limit = getattr(settings, "CELERY_MAX_ETA_SECONDS", 60)
    if ahead > limit:
        raise LongEtaRefused(
            f"Task {(headers or {}).get('task')} scheduled {ahead:.0f} s ahead; the limit is {limit} s. "
            "Store the time in PostgreSQL and let the sweep find it."
        )
