from celery import shared_task

from cases.networks.services import links_lapse_due, network_alerts_raise, network_alerts_sweep


@shared_task(ignore_result=True)
def lapse_unconfirmed_links() -> int:
    """Thin and idempotent: lapse the unconfirmed links whose review clock has run out."""
    return links_lapse_due()


@shared_task(
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=60,  # never scheduled further ahead than the broker can safely hold
    max_retries=5,
)
def raise_cross_case_alerts(link_id: str) -> int:
    """Thin and idempotent: the cross-case alerts of one new link."""
    return len(network_alerts_raise(link_id=link_id))


@shared_task(ignore_result=True)
def sweep_cross_case_alerts() -> int:
    """The alerts of links whose task was lost."""
    return network_alerts_sweep()
