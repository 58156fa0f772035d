"""The permission matrix's sentinel records for cases.education (see tests/matrix/__init__.py): alice's entry in
the sentinel's education history (on roll, so no one is told and no clock starts) and her school place
application (whose clock is the case's, owned by social care)."""

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from cases.education.models import EducationChange, SchoolPlaceApplication
from cases.education.services import education_change_record, school_place_application_record
from tests.conftest import World


def _change(world: World) -> str:
    existing = (
        EducationChange.objects.filter(person_id=world.case.person_id).values_list("pk", flat=True).first()
    )
    if existing is None:
        existing = education_change_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            case=world.case,
            status="on_roll",
            provider_name="Matrix Academy",
            effective_date=timezone.localdate() - timedelta(days=30),
        ).change.pk
    return str(existing)


def _application(world: World) -> str:
    existing = (
        SchoolPlaceApplication.objects.filter(person_id=world.case.person_id)
        .values_list("pk", flat=True)
        .first()
    )
    if existing is None:
        existing = school_place_application_record(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            case=world.case,
            school_name="Matrix High School",
            applied_on=timezone.localdate() - timedelta(days=3),
            due_on=timezone.localdate() + timedelta(days=20),
        ).pk
    return str(existing)


OBJECT_PARAMS: frozenset[str] = frozenset({"education_change_id", "school_application_id"})
SENTINEL_IDS: dict[str, Callable[[World], str]] = {
    "education_change_id": _change,
    "school_application_id": _application,
}
