"""Who may see and act on clocks, and who may see the SLA dashboard. Like every access_* function, each one
fetches and authorises in one step and answers NotFound both for "does not exist" and for "not yours".

A clock is as visible as the case it belongs to (the case subject's registered access decides). A clock with
no case (a referral not yet linked to one, say) is visible only inside its owning agency."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from safeguarding.common.errors import NotFound
from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.policies import policy_for
from safeguarding.deadlines.subjects import CASE_SUBJECT, ClockSubject, subject_type
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.models import User
from safeguarding.organisations.roles import CASE_WORKER_ROLES, MANAGER_ROLES, MASH_ROLES, Role

# Who sees the SLA dashboard, and how widely: the whole authority, or only their own agency's clocks.
AUTHORITY_WIDE_DASHBOARD_ROLES = frozenset({Role.MASH_MANAGER, Role.AUDITOR})
AGENCY_DASHBOARD_ROLES = frozenset({Role.AGENCY_MANAGER})


@dataclass(frozen=True)
class DashboardScope:
    local_authority_id: uuid.UUID
    # None: every agency of the authority.
    agency_id: uuid.UUID | None
    agency_name: str


@dataclass(frozen=True)
class ClockInScope:
    """One clock its reader may see, with the case it belongs to as the case's own access rule gave it."""

    deadline: Deadline
    case: ClockSubject | None


def _case_data_reader(user: User | AnonymousUser) -> User:
    if not reads_case_data(user):
        raise NotFound()
    assert isinstance(user, User)
    return user


def _same_agency(user: User, deadline_agency_id: uuid.UUID, local_authority_id: uuid.UUID) -> bool:
    assert user.agency is not None
    return user.agency_id == deadline_agency_id and user.agency.local_authority_id == local_authority_id


def _access_case(reader: User, case_id: uuid.UUID) -> ClockSubject:
    access = subject_type(CASE_SUBJECT).access
    assert access is not None, "the case subject type registers its own access rule"
    return access(reader, case_id)


def access_subject(user: User | AnonymousUser, subject_type_name: str, subject_id: uuid.UUID) -> ClockSubject:
    """The clocks of a registered subject. A subject type with an access rule of its own (a case) uses it.
    For any other, its clocks decide: those linked to a case need that case visible; those without one,
    the user's own agency."""
    reader = _case_data_reader(user)
    registered = subject_type(subject_type_name)
    if registered.access is not None:
        return registered.access(reader, subject_id)
    rows = list(
        Deadline.objects.filter(subject_type=subject_type_name, subject_id=subject_id)
        .values_list("case_id", "owning_agency_id", "local_authority_id", "person_id", "subject_label")
        .distinct()
    )
    if not rows:
        raise NotFound()
    case_ids = {case_id for case_id, *_ in rows if case_id is not None}
    if len(case_ids) > 1:
        # One subject belongs to one case; anything else is bad data, and bad data is not shown.
        raise NotFound()
    case = _access_case(reader, case_ids.pop()) if case_ids else None
    if case is None and not all(_same_agency(reader, agency, la) for _, agency, la, _, _ in rows):
        raise NotFound()
    person_ids = tuple({person_id for *_, person_id, _ in rows if person_id is not None})
    return ClockSubject(
        subject_type=subject_type_name,
        subject_id=subject_id,
        label=rows[0][4],
        person_ids=person_ids,
        case_id=case.subject_id if case is not None else None,
        case_label=case.case_label if case is not None else "",
    )


def is_manager(user: User) -> bool:
    return user.has_any_role(*MANAGER_ROLES)


def can_act_on(user: User, deadline: Deadline) -> bool:
    """Meet it (and take or be allocated it): case workers of the agency that owns the clock."""
    return (
        user.agency_id is not None
        and user.agency_id == deadline.owning_agency_id
        and user.has_any_role(*CASE_WORKER_ROLES)
    )


def _closed_by_its_record(deadline: Deadline) -> bool:
    rules = policy_for(deadline.policy)
    return rules.tracked_only or rules.met_by_its_record


def can_meet(user: User, deadline: Deadline) -> bool:
    """Record it as met by hand: those who act on it, unless the clock is met by recording what it waits for
    (the Home Office's NRM decision, a return home interview's outcome), never by a button."""
    return can_act_on(user, deadline) and not _closed_by_its_record(deadline)


def can_stop(user: User, deadline: Deadline) -> bool:
    """Pause, resume and cancel, as the clock's policy says: usually the owning agency's case workers; for a
    clock that chases an agency (an information request), only the chaser, the MASH of its authority, and
    never the agency it chases. A clock met by its own record is closed there too (an interview not held is
    a recorded decision, with its reason), so it is not cancelled from the clock panel."""
    if _closed_by_its_record(deadline):
        return False
    if policy_for(deadline.policy).owner_may_stop:
        return can_act_on(user, deadline)
    return (
        user.agency is not None
        and user.agency_id != deadline.owning_agency_id
        and user.agency.local_authority_id == deadline.local_authority_id
        and user.has_any_role(*MASH_ROLES)
    )


def can_extend(user: User, deadline: Deadline) -> bool:
    """Shown only to managers; the service enforces it again for anyone who posts anyway."""
    return can_stop(user, deadline) and is_manager(user)


def can_allocate(user: User, deadline: Deadline) -> bool:
    """Give the clock to someone of its owning agency: that agency's managers."""
    return can_act_on(user, deadline) and is_manager(user)


# What each action page needs of its user (access_deadline's `action`).
_MAY: dict[str, Callable[[User, Deadline], bool]] = {
    "meet": can_meet,
    "take": can_act_on,
    "allocate": can_allocate,
    "pause": can_stop,
    "resume": can_stop,
    "cancel": can_stop,
    # A practitioner reaches the form and is told why not (the service: only a manager extends).
    "extend": can_stop,
}


def access_deadline(
    user: User | AnonymousUser, deadline_id: uuid.UUID, *, action: str | None = None
) -> ClockInScope:
    """One clock, for its action pages. Each action needs what its rule says (_MAY); anyone else who may
    only look gets the same NotFound as an outsider. A clock with no case is seen inside its owning agency,
    and by whoever may see its subject (the MASH that asked, for an information request)."""
    reader = _case_data_reader(user)
    deadline = Deadline.objects.select_related("owning_agency", "owner").filter(pk=deadline_id).first()
    if deadline is None:
        raise NotFound()
    case = None
    if deadline.case_id is not None:
        case = _access_case(reader, deadline.case_id)
    elif not _same_agency(reader, deadline.owning_agency_id, deadline.local_authority_id):
        access = subject_type(deadline.subject_type).access
        if access is None:
            raise NotFound()
        access(reader, deadline.subject_id)  # NotFound when the reader may not see the subject
    if action is not None and not _MAY[action](reader, deadline):
        raise NotFound()
    return ClockInScope(deadline, case)


def can_see_dashboard(user: User | AnonymousUser) -> bool:
    if not reads_case_data(user):
        return False
    assert isinstance(user, User)
    return user.has_any_role(*AUTHORITY_WIDE_DASHBOARD_ROLES, *AGENCY_DASHBOARD_ROLES)


def access_dashboard(user: User | AnonymousUser) -> DashboardScope:
    """MASH managers and auditors see every agency of their authority; agency managers their own agency."""
    if not can_see_dashboard(user):
        raise NotFound()
    assert isinstance(user, User) and user.agency is not None
    if user.has_any_role(*AUTHORITY_WIDE_DASHBOARD_ROLES):
        return DashboardScope(user.agency.local_authority_id, None, "")
    return DashboardScope(user.agency.local_authority_id, user.agency.pk, user.agency.name)
