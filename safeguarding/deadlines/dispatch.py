"""Handing undelivered outbox messages to the delivery task. Services queue this on commit, and the sweep
task runs it every tick to pick up what a lost task left behind. The task is published by name, so this
module (and the services that use it) never import tasks.py, which imports them."""

from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction

from safeguarding.deadlines.delivery import outbox_claim_for_dispatch

DELIVER_TASK = "safeguarding.deadlines.tasks.deliver_outbox_messages"
# Messages per delivery task: enough to spread Celery's per-task cost, few enough that a retry is cheap.
DELIVERY_BATCH = 25


def dispatch_pending_outbox(*, stale_after: timedelta | None = None) -> int:
    stale = (
        stale_after
        if stale_after is not None
        else timedelta(seconds=settings.DEADLINES_REDISPATCH_AFTER_SECONDS)
    )
    ids = outbox_claim_for_dispatch(stale_after=stale)
    for start in range(0, len(ids), DELIVERY_BATCH):
        current_app.send_task(DELIVER_TASK, args=[ids[start : start + DELIVERY_BATCH]])
    return len(ids)


def dispatch_outbox_after_commit() -> None:
    transaction.on_commit(dispatch_pending_outbox)
