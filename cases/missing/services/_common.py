"""What the missing services share: the child's open case, the checks every moment is put through, the
authority's repeat-missing threshold, and the audit row."""

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from cases.missing.access import require_writer
from cases.missing.models import MissingEpisode
from cases.models import Case, CaseStatus
from safeguarding.common.errors import ApplicationError, ConcurrentEditError
from safeguarding.common.forms import EARLIEST_YEAR
from safeguarding.organisations.models import User
from safeguarding.people.models import Person

# A device clock a few minutes fast should not make a real event time "in the future".
CLOCK_SKEW_ALLOWANCE = timedelta(minutes=5)


def open_case_for_writing(actor: User, person: Person) -> Case:
    """The child's open case in the child's authority, locked (so two reports of the same child queue behind
    each other), after checking the actor may record on it."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("lead_agency", "allocated_worker")
        .filter(person=person, status=CaseStatus.OPEN, local_authority_id=person.local_authority_id)
        .first()
    )
    if case is None:
        raise ApplicationError(
            f"{person.full_name} has no open case. Open a case first: missing episodes and the Philomena "
            "profile are recorded on the child's case."
        )
    require_writer(actor, case.pk)
    return case


def lock_episode(actor: User, episode: MissingEpisode, expected_version: int | None) -> MissingEpisode:
    """The episode, locked, after checking the actor may change it and (given a version) that nobody has
    changed it since the actor read it."""
    require_writer(actor, episode.case_id)
    locked = (
        MissingEpisode.objects.select_for_update(of=("self",))
        .select_related("person", "case__lead_agency", "case__allocated_worker", "rhi_deadline")
        .get(pk=episode.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(
            "This missing episode was changed by someone else after you opened it. Your changes have not "
            "been saved. Open it again to see the latest version.",
            extra={"current_version": locked.version},
        )
    return locked


def check_moment(
    errors: dict[str, str],
    field: str,
    moment: datetime | None,
    *,
    what: str,
    person: Person,
    required: str = "",
) -> None:
    """A real-world moment: given (when `required` says how to ask for it), not in the future, and not
    before the child was born. The first problem found is the field's error."""
    if field in errors:
        return
    if moment is None:
        if required:
            errors[field] = required
        return
    if moment.year < EARLIEST_YEAR:
        errors[field] = f"{what} must be after 1 January {EARLIEST_YEAR}"
    elif moment > timezone.now() + CLOCK_SKEW_ALLOWANCE:
        errors[field] = f"{what} must be now or in the past"
    elif person.date_of_birth is not None and timezone.localtime(moment).date() < person.date_of_birth:
        errors[field] = f"{what} must be on or after the child's date of birth"


def check_day(errors: dict[str, str], field: str, day: date | None, *, what: str, person: Person) -> None:
    if day is None or field in errors:
        return
    if day.year < EARLIEST_YEAR:
        errors[field] = f"{what} must be after 1 January {EARLIEST_YEAR}"
    elif day > timezone.localdate():
        errors[field] = f"{what} must be today or in the past"
    elif person.date_of_birth is not None and day < person.date_of_birth:
        errors[field] = f"{what} must be on or after the child's date of birth"


def audit(
    actor: User,
    context: AuditContext,
    action: AuditAction,
    object_type: str,
    object_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    reason: str = "",
    **changes: Any,
) -> None:
    audit_event_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        person_ids=[person_id],
        context=context,
        reason=reason,
        changes={key: str(value) for key, value in changes.items()},
    )
