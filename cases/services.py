from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from cases.models import Case, CaseShare, CaseStatus, LawfulBasis
from safeguarding.common.errors import ApplicationError, ConcurrentEditError, PermissionRefused
from safeguarding.organisations.access import agency_grant
from safeguarding.organisations.models import Agency, User
from safeguarding.organisations.permissions import Perm
from safeguarding.organisations.roles import CASE_WORKER_ROLES
from safeguarding.people.models import Person
from safeguarding.people.services import person_create_within, person_grant_agency

CASE_EDITABLE_FIELDS = (
    "status",
    "risk_level",
    "exploitation_types",
    "summary",
    "allocated_worker",
    "closure_reason",
)


def _require_case_worker(actor: User) -> Agency:
    if actor.agency is None or not actor.has_any_role(*CASE_WORKER_ROLES):
        raise PermissionRefused("Your role does not allow you to open or change cases.")
    return actor.agency


def _grant_case_to_agency(*, case: Case, agency: Agency, lead: bool) -> None:
    perms = [Perm.VIEW_CASE, Perm.CHANGE_CASE, Perm.SHARE_CASE] if lead else [Perm.VIEW_CASE]
    agency_grant(agency=agency, obj=case, perms=perms)
    person_grant_agency(person=case.person, agency=agency, write=lead)


def _validate_allocated_worker(case: Case, worker: User | None) -> None:
    if worker is not None and worker.agency_id != case.lead_agency_id:
        raise ApplicationError("The allocated worker must belong to the lead agency.")


class CaseAlreadyOpen(ApplicationError):
    """The person already has an open case in this authority: the caller offers that case instead."""

    status_code = 409
    code = "case_already_open"


def _refuse_second_open_case(person: Person, *, besides: Case | None = None) -> None:
    others = Case.objects.filter(
        person=person, local_authority_id=person.local_authority_id, status=CaseStatus.OPEN
    )
    if besides is not None:
        others = others.exclude(pk=besides.pk)
    existing = others.select_related("lead_agency").first()
    if existing is not None:
        raise CaseAlreadyOpen(
            f"{person.full_name} already has an open case, led by {existing.lead_agency.name}. Add to that case "
            "instead: a second would split what agencies know.",
            extra={"case_id": str(existing.pk)},
        )


@transaction.atomic(durable=True)
def case_open(
    *,
    actor: User,
    context: AuditContext,
    person: Person | None = None,
    new_person_data: dict[str, Any] | None = None,
    data: dict[str, Any],
) -> Case:
    """Open a case for an existing person, or for a new person created in the same transaction, so that a
    failure anywhere leaves neither behind."""
    return case_open_within(
        actor=actor, context=context, person=person, new_person_data=new_person_data, data=data
    )


def case_open_within(
    *,
    actor: User,
    context: AuditContext,
    person: Person | None = None,
    new_person_data: dict[str, Any] | None = None,
    data: dict[str, Any],
) -> Case:
    """case_open for callers that already hold a transaction (e.g. a MASH decision that opens a case)."""
    agency = _require_case_worker(actor)
    if (person is None) == (new_person_data is None):
        raise ValueError("Give exactly one of person and new_person_data")
    if person is None:
        assert new_person_data is not None
        person = person_create_within(actor=actor, context=context, data=new_person_data)
    unknown = set(data) - {"risk_level", "exploitation_types", "summary", "allocated_worker", "opened_at"}
    if unknown:
        raise ValueError(f"Not settable when opening: {sorted(unknown)}")
    _refuse_second_open_case(person)
    case = Case(person=person, local_authority_id=person.local_authority_id, lead_agency=agency, **data)
    _validate_allocated_worker(case, case.allocated_worker)
    case.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # savepoint: a case opened at the same moment is refused, not a 500
            case.save()
    except IntegrityError as error:
        _refuse_second_open_case(person)
        raise error
    CaseShare.objects.create(
        case=case,
        agency=agency,
        shared_by=actor,
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        reason="Lead agency",
    )
    _grant_case_to_agency(case=case, agency=agency, lead=True)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="case",
        object_id=case.pk,
        person_ids=[person.pk],
        context=context,
    )
    return case


@transaction.atomic(durable=True)
def case_update(
    *, actor: User, case: Case, expected_version: int, context: AuditContext, data: dict[str, Any]
) -> Case:
    _require_case_worker(actor)
    unknown = set(data) - set(CASE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.version != expected_version:
        raise ConcurrentEditError(
            "This case was changed by someone else after you opened it. Your changes have not been saved. "
            "Open the case again to see the latest version, then make your changes.",
            extra={"current_version": locked.version},
        )
    changes = {
        field: [str(getattr(locked, field)), str(value)]
        for field, value in data.items()
        if getattr(locked, field) != value
    }
    for field, value in data.items():
        setattr(locked, field, value)
    if locked.status == CaseStatus.CLOSED and locked.closed_at is None:
        if not locked.closure_reason.strip():
            raise ApplicationError("Give a reason for closing the case.")
        locked.closed_at = timezone.now()
    elif locked.status == CaseStatus.OPEN:
        if locked.closed_at is not None:  # reopening: only if no other case of the person is open
            _refuse_second_open_case(locked.person, besides=locked)
        locked.closed_at = None
    _validate_allocated_worker(locked, locked.allocated_worker)
    locked.full_clean(validate_constraints=False)
    locked.version += 1
    locked.save()
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="case",
        object_id=locked.pk,
        person_ids=[locked.person_id],
        context=context,
        changes=changes,
    )
    return locked


@transaction.atomic(durable=True)
def case_share(
    *, actor: User, case: Case, agency: Agency, lawful_basis: str, reason: str, context: AuditContext
) -> CaseShare:
    return case_share_within(
        actor=actor, case=case, agency=agency, lawful_basis=lawful_basis, reason=reason, context=context
    )


def case_share_within(
    *, actor: User, case: Case, agency: Agency, lawful_basis: str, reason: str, context: AuditContext
) -> CaseShare:
    """case_share for callers that already hold a transaction (a MASH decision that opens a case)."""
    _require_case_worker(actor)
    if not actor.has_perm("cases.share_case", case):
        raise PermissionRefused("Only the lead agency can share this case.")
    if agency.local_authority_id != case.local_authority_id:
        raise ApplicationError("A case can only be shared with agencies of the same local authority.")
    if CaseShare.objects.filter(case=case, agency=agency).exists():
        raise ApplicationError(f"This case is already shared with {agency.name}.")
    share = CaseShare(case=case, agency=agency, shared_by=actor, lawful_basis=lawful_basis, reason=reason)
    share.full_clean()
    share.save()
    _grant_case_to_agency(case=case, agency=agency, lead=False)
    audit_event_record(
        actor=actor,
        action=AuditAction.SHARE,
        object_type="case",
        object_id=case.pk,
        person_ids=[case.person_id],
        context=context,
        reason=reason,
        changes={"shared_with": agency.name, "lawful_basis": lawful_basis},
    )
    return share
