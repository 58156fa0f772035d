"""Network links (their review while unconfirmed) and cross-case alerts as clock subjects, registered with the
clock engine from NetworksConfig.ready()."""

import uuid

from cases.access import access_case
from cases.networks.access import access_context, access_link
from cases.networks.models import ContextAction, CrossCaseAlert
from safeguarding.common.errors import NotFound
from safeguarding.deadlines.subjects import ClockSubject, SubjectType, register_subject
from safeguarding.organisations.models import User

LINK_SUBJECT = "network_link"
ALERT_SUBJECT = "network_alert"
CONTEXT_ACTION_SUBJECT = "context_action"


def _link(user: User, link_id: uuid.UUID) -> ClockSubject:
    link = access_link(user, link_id)
    people = tuple(p for p in (link.person_a_id, link.person_b_id) if p is not None)
    return ClockSubject(subject_type=LINK_SUBJECT, subject_id=link.pk, label=str(link), person_ids=people)


def _alert(user: User, alert_id: uuid.UUID) -> ClockSubject:
    """An alert is seen by those who may see the case it was raised for; one kept from that case's agency by a
    handling code is seen by the agency that holds the intelligence."""
    alert = (
        CrossCaseAlert.objects.select_related(
            "case__person", "other_case__lead_agency", "other_case__local_authority"
        )
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise NotFound()
    if alert.told_agency_id == alert.case.lead_agency_id:
        case = access_case(user, alert.case_id)
        label = f"A link ties {case.person.full_name} to another open case: contact {alert.contact}"
        return ClockSubject(ALERT_SUBJECT, alert.pk, label, (case.person_id,), case.pk, case.person.full_name)
    if user.agency_id != alert.told_agency_id:
        raise NotFound()
    label = f"A link you hold ties two open cases: contact {alert.case.lead_agency.name} and {alert.other_case.lead_agency.name}"
    return ClockSubject(ALERT_SUBJECT, alert.pk, label, ())


def _context_action(user: User, action_id: uuid.UUID) -> ClockSubject:
    """A context's plan action is seen by those who may see the context."""
    action = ContextAction.objects.filter(pk=action_id).select_related("context").first()
    if action is None:
        raise NotFound()
    ctx = access_context(user, action.context_id)
    return ClockSubject(CONTEXT_ACTION_SUBJECT, action.pk, f"{ctx.name}: {action.description[:80]}", ())


def register_network_clock_subjects() -> None:
    register_subject(SubjectType(name=LINK_SUBJECT, label="network link", access=_link))
    register_subject(SubjectType(name=ALERT_SUBJECT, label="cross-case alert", access=_alert))
    register_subject(
        SubjectType(name=CONTEXT_ACTION_SUBJECT, label="context plan action", access=_context_action)
    )
