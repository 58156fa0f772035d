"""Network services, one module per workflow; import them from here. Each write is one durable transaction
with its audit row; the clocks announce themselves to their owners on commit (the clock engine's outbox)."""

from cases.networks.services.alerts import ALERTS_SWEEP_AFTER, network_alerts_raise, network_alerts_sweep
from cases.networks.services.contexts import context_create, context_update
from cases.networks.services.links import ALERTS_TASK, LinkData, link_add, link_set_status, links_lapse_due
from cases.networks.services.plans import context_action_agree, context_action_done, context_assess

__all__ = [
    "ALERTS_SWEEP_AFTER",
    "ALERTS_TASK",
    "LinkData",
    "context_action_agree",
    "context_action_done",
    "context_assess",
    "context_create",
    "context_update",
    "link_add",
    "link_set_status",
    "links_lapse_due",
    "network_alerts_raise",
    "network_alerts_sweep",
]
