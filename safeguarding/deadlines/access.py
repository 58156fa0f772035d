"""Who may see and act on clocks, and who may see the SLA dashboard. Like every access_* function, each one
fetches and authorises in one step and answers NotFound both for "does not exist" and for "not yours".

A clock is as visible as the case it belongs to (cases.access decides). A clock with no case (a referral not
yet linked to one, say) is visible only inside its owning agency."""

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from cases.access import access_case
from cases.models import Case
from safeguarding.common.errors import NotFound
from safeguarding.deadlines.models import Deadline
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.models import User
from safeguarding.organisations.roles import CASE_WORKER_ROLES, MANAGER_ROLES, Role

CASE_SUBJECT = "case"
# Who sees the SLA dashboard, and how widely: the whole authority, or only their own agency's clocks.
AUTHORITY_WIDE_DASHBOARD_ROLES = frozenset({Role.MASH_MANAGER, Role.AUDITOR})
AGENCY_DASHBOARD_ROLES = frozenset({Role.AGENCY_MANAGER})


@dataclass(frozen=True)
class ClockSubject:
    """What a clock panel is about: a case (every clock of the case, whatever its own subject) or one other
    subject (a referral, a custody booking...) by type and id."""

    subject_type: str
    subject_id: uuid.UUID
    case: Case | None
    label: str
    person_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class DashboardScope:
    local_authority_id: uuid.UUID
    # None: every agency of the authority.
    agency_id: uuid.UUID | None
    agency_name: str


def _case_data_reader(user: User | AnonymousUser) -> User:
    if not reads_case_data(user):
        raise NotFound()
    assert isinstance(user, User)
    return user


def _same_agency(user: User, deadline_agency_id: uuid.UUID, local_authority_id: uuid.UUID) -> bool:
    assert user.agency is not None
    return user.agency_id == deadline_agency_id and user.agency.local_authority_id == local_authority_id


def subject_for_case(case: Case) -> ClockSubject:
    """The clock subject of a case the caller has already authorised (the case page's own access_case)."""
    return ClockSubject(CASE_SUBJECT, case.pk, case, "", (case.person_id,))


def access_subject(user: User | AnonymousUser, subject_type: str, subject_id: uuid.UUID) -> ClockSubject:
    """The clocks of a subject. For a case, the case's own access rule. For any other subject, its clocks
    decide: those linked to a case need that case visible; those without one, the user's own agency."""
    if subject_type == CASE_SUBJECT:
        return subject_for_case(access_case(user, subject_id))
    reader = _case_data_reader(user)
    rows = list(
        Deadline.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .values_list("case_id", "owning_agency_id", "local_authority_id", "person_id", "subject_label")
        .distinct()
    )
    if not rows:
        raise NotFound()
    case_ids = {case_id for case_id, *_ in rows if case_id is not None}
    if len(case_ids) > 1:
        # One subject belongs to one case; anything else is bad data, and bad data is not shown.
        raise NotFound()
    case = access_case(reader, case_ids.pop()) if case_ids else None
    if case is None and not all(_same_agency(reader, agency, la) for _, agency, la, _, _ in rows):
        raise NotFound()
    person_ids = tuple({person_id for *_, person_id, _ in rows if person_id is not None})
    return ClockSubject(subject_type, subject_id, case, rows[0][4], person_ids)


def can_act_on(user: User, deadline: Deadline) -> bool:
    """Meet, pause, resume and cancel: case workers of the agency that owns the clock."""
    return (
        user.agency_id is not None
        and user.agency_id == deadline.owning_agency_id
        and any(user.has_role(role) for role in CASE_WORKER_ROLES)
    )


def can_extend(user: User, deadline: Deadline) -> bool:
    """Shown only to managers; the service enforces it again for anyone who posts anyway."""
    return can_act_on(user, deadline) and any(user.has_role(role) for role in MANAGER_ROLES)


def access_deadline(user: User | AnonymousUser, deadline_id: uuid.UUID, *, write: bool = False) -> Deadline:
    """One clock, for its action pages. Writing needs a case worker of the owning agency; anyone else who
    may only look gets the same NotFound as an outsider."""
    reader = _case_data_reader(user)
    deadline = Deadline.objects.select_related("owning_agency", "owner").filter(pk=deadline_id).first()
    if deadline is None:
        raise NotFound()
    if deadline.case_id is not None:
        deadline.case = access_case(reader, deadline.case_id)
    elif not _same_agency(reader, deadline.owning_agency_id, deadline.local_authority_id):
        raise NotFound()
    if write and not can_act_on(reader, deadline):
        raise NotFound()
    return deadline


def can_see_dashboard(user: User | AnonymousUser) -> bool:
    if not reads_case_data(user):
        return False
    assert isinstance(user, User)
    return any(user.has_role(role) for role in AUTHORITY_WIDE_DASHBOARD_ROLES | AGENCY_DASHBOARD_ROLES)


def access_dashboard(user: User | AnonymousUser) -> DashboardScope:
    """MASH managers and auditors see every agency of their authority; agency managers their own agency."""
    if not can_see_dashboard(user):
        raise NotFound()
    assert isinstance(user, User) and user.agency is not None
    if any(user.has_role(role) for role in AUTHORITY_WIDE_DASHBOARD_ROLES):
        return DashboardScope(user.agency.local_authority_id, None, "")
    return DashboardScope(user.agency.local_authority_id, user.agency.pk, user.agency.name)
