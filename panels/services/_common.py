"""What the panel services share: the clocks they start, their audit rows, and the chair's check."""

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from panels.access import is_running
from panels.models import Meeting, Panel, PanelReferral
from safeguarding.common.errors import ApplicationError, PermissionRefused
from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.selectors import open_clock_of
from safeguarding.deadlines.services import DeadlineSubject
from safeguarding.organisations.models import User

LONDON = ZoneInfo("Europe/London")

# Clock subject types this app registers (panels/clocks.py).
REFERRAL_SUBJECT = "panel_referral"
ACTION_SUBJECT = "panel_action"
ITEM_SUBJECT = "panel_item"


def require_running(actor: User, panel: Panel) -> None:
    if not is_running(actor, panel):
        raise PermissionRefused("Only the panel's chairs and coordinator can do this.")


def require_unlocked(meeting: Meeting) -> None:
    if meeting.is_locked:
        raise ApplicationError(
            "The minutes of this meeting are approved and locked. Record a change as an amendment."
        )


def subject(referral: PanelReferral, subject_type: str, subject_id: uuid.UUID) -> DeadlineSubject:
    return DeadlineSubject(
        subject_type=subject_type,
        subject_id=subject_id,
        label=referral.short_name,
        local_authority_id=referral.local_authority_id,
        person_id=referral.person_id,
        case_id=referral.case_id,
    )


def open_clock(subject_type: str, subject_id: uuid.UUID, policy: PolicyCode) -> Deadline | None:
    return open_clock_of(subject_type=subject_type, subject_id=subject_id, policy=policy)


def audit(
    actor: User,
    context: AuditContext,
    action: AuditAction,
    object_type: str,
    object_id: uuid.UUID,
    person_ids: list[uuid.UUID],
    reason: str = "",
    **changes: Any,
) -> None:
    audit_event_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        person_ids=person_ids,
        context=context,
        reason=reason,
        changes={k: str(v) for k, v in changes.items()},
    )
