"""The case as a clock subject: registered with the clock engine (which knows no domain app) from
CasesConfig.ready(). A case's clock panel shows every clock of the case, whatever its own subject."""

import uuid

from django.urls import reverse

from cases.access import access_case
from cases.models import Case
from safeguarding.deadlines.subjects import CASE_SUBJECT, ClockSubject, SubjectType, register_subject
from safeguarding.organisations.models import User


def case_clock_subject(case: Case) -> ClockSubject:
    """The clock panel's subject for a case already authorised with access_case."""
    return ClockSubject(
        subject_type=CASE_SUBJECT,
        subject_id=case.pk,
        label="",
        person_ids=(case.person_id,),
        case_id=case.pk,
        case_label=case.person.full_name,
    )


def _access(user: User, case_id: uuid.UUID) -> ClockSubject:
    return case_clock_subject(access_case(user, case_id))


def register_case_clock_subject() -> None:
    register_subject(
        SubjectType(
            name=CASE_SUBJECT,
            label="case",
            access=_access,
            url=lambda case_id: reverse("cases:detail", kwargs={"case_id": case_id}),
        )
    )
