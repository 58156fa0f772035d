"""Thin Celery tasks: take ids, call a service, are idempotent. The beat schedule is in settings."""

import logging

from celery import shared_task

from safeguarding.deadlines.delivery import outbox_deliver
from safeguarding.deadlines.dispatch import DELIVER_TASK, dispatch_pending_outbox
from safeguarding.deadlines.services import deadline_sweep

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=60,  # never schedule a retry further ahead than the broker can safely hold
    retry_jitter=True,
    max_retries=None,
    ignore_result=True,  # nothing reads it: storing None in Redis for every message is a write per task
    name=DELIVER_TASK,  # dispatch.py publishes it by this name
)
def deliver_outbox_messages(outbox_ids: list[int]) -> None:
    """Deliver each message; a failure of one does not hold up the others. Delivery is idempotent, so the
    retry after a failure re-runs the batch and only what is left is sent."""
    failures: list[Exception] = []
    for outbox_id in outbox_ids:
        try:
            outbox_deliver(outbox_id=outbox_id)
        except Exception as error:
            logger.warning("Delivery of outbox message %s failed: %s", outbox_id, error)
            failures.append(error)
    if failures:
        raise failures[0]


@shared_task(acks_late=True, expires=10, ignore_result=True)
def sweep_deadlines() -> dict[str, int]:
    """Run by beat every second or so. Missed or doubled ticks are harmless: the sweep is idempotent and a
    later tick catches up everything that fell due meanwhile. Also re-dispatches outbox messages whose
    delivery task was lost (a killed worker, a flushed broker)."""
    result = deadline_sweep()
    redispatched = dispatch_pending_outbox()
    if result.total or redispatched:
        logger.info(
            "sweep: %s breached, %s warned, %s escalated, %s dispatched",
            result.breached,
            result.warned,
            result.escalated,
            redispatched,
        )
    return {"breached": result.breached, "warned": result.warned, "escalated": result.escalated}
