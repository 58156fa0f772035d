"""Who sees and who records a child's missing episodes and Philomena profile.

An episode follows the case it is recorded on: it is seen by every agency that may see that case (the lead
agency and those it is shared with, within the case's authority), and recorded and changed only by case
workers of an agency that may change the case. The Philomena profile belongs to the child: it is seen by
those who may see any of the child's cases, and written by those who may change the child's open case.
Outsiders get the same NotFound as for a record that does not exist."""

import uuid

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, QuerySet

from cases.missing.models import MissingEpisode, PhilomenaProfile
from cases.models import Case, CaseGroupObjectPermission, CaseStatus
from safeguarding.common.errors import NotFound, PermissionRefused
from safeguarding.organisations.access import permission_id, reads_case_data, scope_to_user
from safeguarding.organisations.models import User
from safeguarding.organisations.permissions import Perm
from safeguarding.organisations.roles import CASE_WORKER_ROLES
from safeguarding.people.models import Person

WRITER_REFUSAL = (
    "Only the agency that leads the child's case can record missing episodes and the Philomena profile."
)


def _case_grant(user: User, perm: Perm, case_ref: OuterRef) -> Exists:
    """EXISTS (a grant of `perm` on the case `case_ref` names to the user's agency group): one probe of
    guardian's unique (group, permission, object) index per row."""
    assert user.agency is not None
    return Exists(
        CaseGroupObjectPermission.objects.filter(
            content_object_id=case_ref, permission_id=permission_id(perm), group_id=user.agency.group_id
        )
    )


def episodes_visible_to(user: User | AnonymousUser, *, write: bool = False) -> QuerySet[MissingEpisode]:
    if not reads_case_data(user):
        return MissingEpisode.objects.none()
    assert isinstance(user, User) and user.agency is not None
    perm = Perm.CHANGE_CASE if write else Perm.VIEW_CASE
    return MissingEpisode.objects.filter(
        _case_grant(user, perm, OuterRef("case_id")), local_authority_id=user.agency.local_authority_id
    )


def access_episode(user: User | AnonymousUser, episode_id: uuid.UUID | str) -> MissingEpisode:
    """Fetch and authorise one episode for reading, with what its pages show, in one query."""
    try:
        return (
            episodes_visible_to(user)
            .select_related(
                "person", "case__lead_agency", "reported_by_agency", "recording_agency", "rhi_deadline"
            )
            .get(pk=episode_id)
        )
    except (MissingEpisode.DoesNotExist, ValueError) as error:
        raise NotFound() from error


def is_case_worker(user: User | AnonymousUser) -> bool:
    return reads_case_data(user) and isinstance(user, User) and user.has_any_role(*CASE_WORKER_ROLES)


def writable_open_case(user: User | AnonymousUser, person: Person) -> Case | None:
    """The child's open case in the child's authority, if the user may record on it (one query; none for a
    role that records nothing)."""
    if not is_case_worker(user):
        return None
    return (
        scope_to_user(user, Perm.CHANGE_CASE, Case.objects.select_related("lead_agency", "allocated_worker"))
        .filter(person=person, status=CaseStatus.OPEN, local_authority_id=person.local_authority_id)
        .first()
    )


def child_has_open_case(person: Person) -> bool:
    """Whether the child has an open case in their authority at all (what a refusal says, not a permission)."""
    return Case.objects.filter(
        person=person, status=CaseStatus.OPEN, local_authority_id=person.local_authority_id
    ).exists()


def may_change_case(user: User | AnonymousUser, case_id: uuid.UUID) -> bool:
    """Whether the user records on this case (one query; none for a role that records nothing)."""
    if not is_case_worker(user):
        return False
    return scope_to_user(user, Perm.CHANGE_CASE, Case.objects.filter(pk=case_id)).exists()


def require_writer(user: User, case_id: uuid.UUID) -> None:
    if not may_change_case(user, case_id):
        raise PermissionRefused(WRITER_REFUSAL)


def profiles_visible_to(user: User | AnonymousUser) -> QuerySet[PhilomenaProfile]:
    if not reads_case_data(user):
        return PhilomenaProfile.objects.none()
    assert isinstance(user, User) and user.agency is not None
    cases = scope_to_user(user, Perm.VIEW_CASE, Case.objects.filter(person_id=OuterRef("person_id")))
    return PhilomenaProfile.objects.filter(Exists(cases))


def profile_of(user: User | AnonymousUser, person: Person) -> PhilomenaProfile | None:
    """The child's profile if the user may see it (one query), with its review clock."""
    return profiles_visible_to(user).select_related("review_deadline").filter(person=person).first()
