"""Panel services, one module per workflow; import them from here."""

from panels.services.actions import panel_action_agree, panel_action_close
from panels.services.assessment import active_instrument, risk_assessment_save
from panels.services.meetings import (
    agenda_arrange,
    agenda_build,
    agenda_candidates,
    agenda_item_add,
    agenda_item_plan_send,
    agenda_item_record,
    attendance_record,
    attendance_remove,
    meeting_publish_pack,
    meeting_schedule,
    meeting_start,
    review_date_default,
)
from panels.services.minutes import minutes_amend, minutes_approve, minutes_save
from panels.services.referral import (
    panel_referral_close,
    panel_referral_create,
    panel_referral_create_within,
    panel_referral_history,
)

__all__ = [
    "active_instrument",
    "agenda_arrange",
    "agenda_build",
    "agenda_candidates",
    "agenda_item_add",
    "agenda_item_plan_send",
    "agenda_item_record",
    "attendance_record",
    "attendance_remove",
    "meeting_publish_pack",
    "meeting_schedule",
    "meeting_start",
    "minutes_amend",
    "minutes_approve",
    "minutes_save",
    "panel_action_agree",
    "panel_action_close",
    "panel_referral_close",
    "panel_referral_create",
    "panel_referral_create_within",
    "panel_referral_history",
    "review_date_default",
    "risk_assessment_save",
]
