"""Panel referrals (the clock to list them), actions (their due dates), items (the plan to send) and a core
agency's repeated absence (the follow-up) as clock subjects, registered with the clock engine from
PanelsConfig.ready()."""

import uuid

from django.urls import reverse

from panels.access import access_absence_alert, access_action, access_item, access_panel_referral
from panels.models import PanelReferral
from panels.services._common import ACTION_SUBJECT, ITEM_SUBJECT, REFERRAL_SUBJECT
from panels.services.attendance_alerts import ABSENCE_SUBJECT
from safeguarding.deadlines.subjects import ClockSubject, SubjectType, register_subject
from safeguarding.organisations.models import User


def _subject(subject_type: str, subject_id: uuid.UUID, label: str, referral: PanelReferral) -> ClockSubject:
    return ClockSubject(
        subject_type=subject_type,
        subject_id=subject_id,
        label=label,
        person_ids=tuple(referral.person_ids),
        case_id=referral.case_id,
        case_label=referral.subject_name if referral.case_id else "",
    )


def _referral(user: User, referral_id: uuid.UUID) -> ClockSubject:
    referral = access_panel_referral(user, referral_id)
    return _subject(REFERRAL_SUBJECT, referral.pk, f"referral of {referral.subject_name}", referral)


def _action(user: User, action_id: uuid.UUID) -> ClockSubject:
    action = access_action(user, action_id)
    return _subject(ACTION_SUBJECT, action.pk, f"action: {action.description[:80]}", action.referral)


def _item(user: User, item_id: uuid.UUID) -> ClockSubject:
    item = access_item(user, item_id)
    return _subject(ITEM_SUBJECT, item.pk, f"plan for {item.referral.subject_name}", item.referral)


def _absence_alert(user: User, alert_id: uuid.UUID) -> ClockSubject:
    # About an agency, not a person: no person ids for the audit trail, no case.
    alert = access_absence_alert(user, alert_id)
    return ClockSubject(
        subject_type=ABSENCE_SUBJECT,
        subject_id=alert.pk,
        label=f"{alert.agency.name}'s absence from {alert.panel.name}",
        person_ids=(),
    )


def _item_url(item_id: uuid.UUID) -> str:
    return reverse("panels:item", kwargs={"item_id": item_id})


def register_panel_clock_subjects() -> None:
    register_subject(
        SubjectType(
            name=REFERRAL_SUBJECT,
            label="panel referral",
            access=_referral,
            url=lambda pk: reverse("panels:referral", kwargs={"panel_referral_id": pk}),
        )
    )
    register_subject(
        SubjectType(
            name=ACTION_SUBJECT,
            label="panel action",
            access=_action,
            url=lambda pk: reverse("panels:action", kwargs={"action_id": pk}),
        )
    )
    register_subject(SubjectType(name=ITEM_SUBJECT, label="panel plan", access=_item, url=_item_url))
    # Its page is the clock engine's page for the subject, where the owner records the follow-up as met.
    register_subject(SubjectType(name=ABSENCE_SUBJECT, label="core agency absence", access=_absence_alert))
