"""The one Celery app. Tasks are discovered from every installed app's tasks.py."""

import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from celery import Celery
from celery.app.amqp import AMQP
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings.local")


class LongEtaRefused(RuntimeError):
    """A task was scheduled further ahead than CELERY_MAX_ETA_SECONDS."""


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


class RefuseLongEtaAMQP(AMQP):
    """Checks every task message on its way to the broker. (A before_task_publish signal receiver cannot
    refuse: Celery logs a receiver's exception and publishes anyway.)"""

    def _create_task_sender(self) -> Callable[..., Any]:
        send: Callable[..., Any] = super()._create_task_sender()  # type: ignore[misc]  # untyped in celery-types

        def send_unless_too_far_ahead(
            producer: Any, name: str, message: Any, *args: Any, **kwargs: Any
        ) -> Any:
            refuse_long_eta(headers=message.headers)
            return send(producer, name, message, *args, **kwargs)

        return send_unless_too_far_ahead


app = Celery("safeguarding", amqp=RefuseLongEtaAMQP)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect(dispatch_uid="close-old-connections-before-task")
@task_postrun.connect(dispatch_uid="close-old-connections-after-task")
def close_old_connections_around_tasks(**kwargs: Any) -> None:
    """With CELERY_DB_REUSE_MAX, workers keep connections between tasks; this applies Django's usual
    per-request rules (CONN_MAX_AGE, CONN_HEALTH_CHECKS) at task boundaries instead."""
    from django.db import close_old_connections

    close_old_connections()
