import uuid
from typing import Any

from django.db import transaction

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from safeguarding.common.errors import ConcurrentEditError, PermissionRefused
from safeguarding.organisations.access import agency_grant
from safeguarding.organisations.models import Agency, User
from safeguarding.organisations.permissions import Perm
from safeguarding.organisations.roles import CASE_WORKER_ROLES
from safeguarding.people.models import Person
from safeguarding.people.validators import normalise_nhs_number, normalise_postcode

PERSON_EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "aliases",
    "date_of_birth",
    "estimated_age_years",
    "sex",
    "gender",
    "ethnicity",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "education_status",
    "school_name",
    "nhs_number",
)


def _require_case_worker(actor: User) -> Agency:
    if actor.agency is None or not actor.has_any_role(*CASE_WORKER_ROLES):
        raise PermissionRefused("Your role does not allow you to add or change people's records.")
    return actor.agency


def _clean_person_data(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(PERSON_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    cleaned = dict(data)
    if cleaned.get("nhs_number"):
        cleaned["nhs_number"] = normalise_nhs_number(cleaned["nhs_number"])
    elif "nhs_number" in cleaned:
        cleaned["nhs_number"] = None
    if "postcode" in cleaned:
        cleaned["postcode"] = normalise_postcode(cleaned["postcode"] or "")
    return cleaned


def person_search_text(person: Person) -> str:
    return " ".join([person.given_name, person.family_name, *person.aliases]).lower()


def person_grant_agency(*, person: Person, agency: Agency, write: bool) -> None:
    perms = [Perm.VIEW_PERSON, Perm.CHANGE_PERSON] if write else [Perm.VIEW_PERSON]
    agency_grant(agency=agency, obj=person, perms=perms)


@transaction.atomic(durable=True)
def person_create(*, actor: User, context: AuditContext, data: dict[str, Any]) -> Person:
    return person_create_within(actor=actor, context=context, data=data)


def person_create_within(*, actor: User, context: AuditContext, data: dict[str, Any]) -> Person:
    """person_create for callers that already hold a transaction (e.g. opening a case with a new person)."""
    agency = _require_case_worker(actor)
    person = person_record_within(
        actor=actor, context=context, data=data, local_authority_id=agency.local_authority_id
    )
    person_grant_agency(person=person, agency=agency, write=True)
    return person


def person_record_within(
    *, actor: User, context: AuditContext, data: dict[str, Any], local_authority_id: uuid.UUID
) -> Person:
    """Write a new person's record in `local_authority_id`, with its audit row, granting it to nobody: the
    caller decides who may see it (a force recording a child of another authority may not)."""
    agency = _require_case_worker(actor)
    person = Person(
        local_authority_id=local_authority_id, created_by_agency=agency, **_clean_person_data(data)
    )
    person.search_text = person_search_text(person)
    person.full_clean()
    person.save()
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="person",
        object_id=person.pk,
        person_ids=[person.pk],
        context=context,
    )
    return person


@transaction.atomic(durable=True)
def person_update(
    *, actor: User, person: Person, expected_version: int, context: AuditContext, data: dict[str, Any]
) -> Person:
    _require_case_worker(actor)
    cleaned = _clean_person_data(data)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.version != expected_version:
        raise ConcurrentEditError(
            "This record was changed by someone else after you opened it. Your changes have not been saved. "
            "Open the record again to see the latest version, then make your changes.",
            extra={"current_version": locked.version},
        )
    changes = {
        field: [str(getattr(locked, field)), str(value)]
        for field, value in cleaned.items()
        if getattr(locked, field) != value
    }
    for field, value in cleaned.items():
        setattr(locked, field, value)
    locked.search_text = person_search_text(locked)
    locked.full_clean()
    locked.version += 1
    locked.save()
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="person",
        object_id=locked.pk,
        person_ids=[locked.pk],
        context=context,
        changes=changes,
    )
    return locked
