"""Every write of a child's education record: one durable transaction each, its audit row inside it, clocks
started or met in the same transaction (their messages go out through the outbox on commit).

Leaving a school roll while at risk (review finding 1). When a change takes a child whose open case is rated
medium, high or very high risk from a school's roll (on roll, part-time, alternative provision, suspended) to
elective home education, missing education or permanent exclusion, an EDUCATION_ROLL_LEFT clock for the case owner and an EDUCATION_ROLL_LEFT_LEAD clock for the education lead start, each
announced once: one owned by the case's lead agency for the case owner (its allocated worker; with none, the
lead agency's duty inbox), and one owned by the authority's education agency with no owner, so its education
lead hears. Medium counts as well as high: the review's child was not rated high when he left his school, and
a day's follow-up costs little beside missing one. The clocks start when the change is recorded (when the
partnership learns of it), not on the date it took effect, so that a late entry gives the owner their working
day rather than a breach. While a follow-up of the case is still open, another change starts none: they
already know.

Dates: a change may take effect up to EFFECTIVE_DATE_AHEAD ahead (a move already agreed with the school),
never before the child was born; applications, outcomes and their dates are never in the future."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from cases.education.clocks import EDUCATION_CHANGE_SUBJECT, EDUCATION_LEAD_SUBJECT, SCHOOL_PLACE_SUBJECT
from cases.education.models import (
    OFF_ROLL_STATUSES,
    ON_ROLL_STATUSES,
    EducationChange,
    EducationStatus,
    RollLeftAlert,
    SchoolPlaceApplication,
    SchoolPlaceOutcome,
)
from cases.models import Case, CaseStatus, RiskLevel
from safeguarding.common.errors import ApplicationError, ConcurrentEditError, PermissionRefused
from safeguarding.common.forms import EARLIEST_YEAR
from safeguarding.deadlines.calendars import LONDON, end_of_working_day
from safeguarding.deadlines.models import OPEN_STATUSES, Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.selectors import open_clock_of
from safeguarding.deadlines.services import DeadlineSubject, deadline_meet, deadline_start
from safeguarding.organisations.models import Agency, AgencyType, User
from safeguarding.organisations.roles import CASE_WORKER_ROLES
from safeguarding.people.models import EducationStatus as PersonEducationStatus
from safeguarding.people.models import Person

# Who is "known to be at risk" for the roll-left alert.
AT_RISK_LEVELS = frozenset({RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.VERY_HIGH})
EFFECTIVE_DATE_AHEAD = timedelta(days=14)
# A decision due more than this long after the application is a typing mistake (2027 for 2026).
LONGEST_WAIT_FOR_A_PLACE = timedelta(days=366)
MAX_TEXT = 2000
MAX_NAME = 160

# The person record's education status, as this history's starting point when it has no entries yet.
_BASELINE: dict[str, str] = {
    PersonEducationStatus.ON_ROLL: EducationStatus.ON_ROLL,
    PersonEducationStatus.ELECTIVE_HOME_EDUCATION: EducationStatus.ELECTIVE_HOME_EDUCATION,
    PersonEducationStatus.MISSING_EDUCATION: EducationStatus.MISSING_EDUCATION,
}


def _require_case_worker(actor: User) -> Agency:
    if actor.agency is None or not actor.has_any_role(*CASE_WORKER_ROLES):
        raise PermissionRefused("Your role does not allow you to record a child's education.")
    return actor.agency


def _lock_open_case(case: Case) -> tuple[Case, Person]:
    """The child's person row locked (so two changes of one child are recorded one after the other) and the
    case read again inside the transaction."""
    person = Person.objects.select_for_update().get(pk=case.person_id)
    current = Case.objects.select_related("lead_agency", "allocated_worker").get(pk=case.pk)
    if current.status != CaseStatus.OPEN:
        raise ApplicationError("This case has been closed, so nothing more can be recorded on it.")
    return current, person


def _text(errors: dict[str, str], field: str, value: str, *, limit: int, what: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        errors[field] = f"{what} must be {limit:,} characters or fewer"
    return value


def _check_date(
    errors: dict[str, str],
    field: str,
    value: date | None,
    *,
    what: str,
    person: Person,
    ahead: timedelta = timedelta(0),
    not_before: tuple[date, str] | None = None,
) -> None:
    """GOV.UK wording: "Enter the date…", "The date … must be today or in the past"."""
    if value is None:
        errors[field] = f"Enter {what}"
        return
    today = timezone.localdate()
    if value.year < EARLIEST_YEAR:
        errors[field] = f"{what.capitalize()} must be after 1 January {EARLIEST_YEAR}"
    elif value > today + ahead:
        errors[field] = (
            f"{what.capitalize()} must be today or in the past"
            if not ahead
            else f"{what.capitalize()} must be no more than {ahead.days} days from today"
        )
    elif person.date_of_birth is not None and value < person.date_of_birth:
        errors[field] = f"{what.capitalize()} must be on or after the child's date of birth"
    elif not_before is not None and value < not_before[0]:
        errors[field] = f"{what.capitalize()} must be on or after {not_before[1]}"


def _short_name(person: Person) -> str:
    """How clock labels (and so notifications and emails) name the child: given name and initial."""
    return f"{person.given_name} {person.family_name[:1]}."


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


# --- Education status history ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EducationChangeRecorded:
    change: EducationChange
    # False: the same entry was already recorded (a repeated save), and nothing was written or told.
    created: bool
    # The agency whose education lead was told, when the change told anyone.
    education_agency: Agency | None = None


def _current(entries: list[EducationChange]) -> EducationChange | None:
    """The entry in force: latest by the date it took effect, then by when it was recorded."""
    return max(entries, key=lambda entry: (entry.effective_date, entry.created_at), default=None)


def _education_agency(case: Case) -> Agency | None:
    """The authority's education service; if an authority has several education agencies, the first set up."""
    return (
        Agency.objects.filter(local_authority_id=case.local_authority_id, agency_type=AgencyType.EDUCATION)
        .order_by("created_at", "name")
        .first()
    )


def _tell_of_roll_left(
    *,
    actor: User,
    context: AuditContext,
    case: Case,
    person: Person,
    change: EducationChange,
    education: Agency | None,
) -> None:
    """The two announced clocks (see the module's docstring); the second only if there is an education agency."""
    now = timezone.now()
    status = change.get_status_display().lower()
    owner = case.allocated_worker if case.allocated_worker and case.allocated_worker.is_active else None
    deadline_start(
        policy=PolicyCode.EDUCATION_ROLL_LEFT,
        subject=DeadlineSubject(
            subject_type=EDUCATION_CHANGE_SUBJECT,
            subject_id=change.pk,
            label=f"{_short_name(person)}: off a school roll ({status})",
            local_authority_id=case.local_authority_id,
            person_id=person.pk,
            case_id=case.pk,
        ),
        started_at=now,
        owning_agency=case.lead_agency,
        owner=owner,
        actor=actor,
        context=context,
        announce=True,
    )
    if education is not None:
        # No case on this clock: the education agency may not be shared the case, and a clock with no case is
        # seen inside the agency that owns it (safeguarding/deadlines/access.py).
        deadline_start(
            policy=PolicyCode.EDUCATION_ROLL_LEFT_LEAD,
            subject=DeadlineSubject(
                subject_type=EDUCATION_LEAD_SUBJECT,
                subject_id=change.pk,
                label=(
                    f"{_short_name(person)}: a child at risk off a school roll ({status}); "
                    f"case led by {case.lead_agency.name}"
                ),
                local_authority_id=case.local_authority_id,
                person_id=person.pk,
            ),
            started_at=now,
            owning_agency=education,
            owner=None,
            actor=actor,
            context=context,
            announce=True,
        )


@transaction.atomic(durable=True)
def education_change_record(
    *,
    actor: User,
    context: AuditContext,
    case: Case,
    status: str,
    effective_date: date | None,
    provider_name: str = "",
    note: str = "",
    corrects: EducationChange | None = None,
    correction_reason: str = "",
) -> EducationChangeRecorded:
    """Append a change to the child's education history (or, with `corrects`, a correction of an earlier entry,
    which needs a reason). Saving the same entry again records and tells nothing the second time."""
    agency = _require_case_worker(actor)
    case, person = _lock_open_case(case)
    errors: dict[str, str] = {}
    if status not in EducationStatus.values:
        errors["status"] = "Select their education status"
    provider_name = _text(
        errors, "provider_name", provider_name, limit=MAX_NAME, what="The school or provider"
    )
    note = _text(errors, "note", note, limit=MAX_TEXT, what="The note")
    _check_date(
        errors,
        "effective_date",
        effective_date,
        what="the date it took effect",
        person=person,
        ahead=EFFECTIVE_DATE_AHEAD,
    )
    correction_reason = _text(
        errors, "correction_reason", correction_reason, limit=MAX_TEXT, what="The reason"
    )
    if corrects is not None:
        if corrects.person_id != person.pk:
            raise ApplicationError("That entry is not part of this child's history.")
        if EducationChange.objects.filter(corrects=corrects).exists():
            raise ApplicationError("That entry has already been corrected. Correct the correction instead.")
        if not correction_reason and "correction_reason" not in errors:
            errors["correction_reason"] = "Enter why the entry is being corrected"
        if (corrects.status, corrects.provider_name, corrects.effective_date, corrects.note) == (
            status,
            provider_name,
            effective_date,
            note,
        ):
            errors["status"] = "The correction is the same as the entry it corrects. Change what was wrong"
    elif correction_reason:
        correction_reason = ""  # only a correction has a reason for being one
    if errors:
        raise ValidationError(errors)
    assert effective_date is not None

    live = list(EducationChange.objects.filter(person=person, correction__isnull=True))
    if corrects is None:
        repeated = next(
            (
                entry
                for entry in live
                if (entry.status, entry.provider_name, entry.effective_date, entry.note)
                == (status, provider_name, effective_date, note)
            ),
            None,
        )
        if repeated is not None:
            return EducationChangeRecorded(repeated, created=False)
    before_entry = _current(live)
    before = before_entry.status if before_entry is not None else _BASELINE.get(person.education_status, "")

    change = EducationChange(
        person=person,
        case=case,
        local_authority_id=case.local_authority_id,
        status=status,
        provider_name=provider_name,
        effective_date=effective_date,
        note=note,
        recorded_by=actor,
        recorded_by_agency=agency,
        corrects=corrects,
        correction_reason=correction_reason,
        previous_status=before,
        created_at=timezone.now(),
    )
    after_entry = _current([entry for entry in live if entry != corrects] + [change])
    assert after_entry is not None
    left_roll = (
        before in ON_ROLL_STATUSES
        and after_entry.status in OFF_ROLL_STATUSES
        and case.risk_level in AT_RISK_LEVELS
    )
    already_followed_up = (
        left_roll
        and Deadline.objects.filter(
            policy=PolicyCode.EDUCATION_ROLL_LEFT, case=case, status__in=OPEN_STATUSES
        ).exists()
    )
    tell = left_roll and not already_followed_up
    # Decided before the row is written: the history is never updated.
    education = _education_agency(case) if tell else None
    if tell:
        change.alert = RollLeftAlert.TOLD if education is not None else RollLeftAlert.OWNER_ONLY
    elif left_roll:
        change.alert = RollLeftAlert.ALREADY
    change.full_clean(exclude=["person", "case", "local_authority", "recorded_by", "recorded_by_agency"])
    change.save(force_insert=True)
    if tell:
        _tell_of_roll_left(
            actor=actor, context=context, case=case, person=person, change=change, education=education
        )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="education_change",
        object_id=change.pk,
        person_ids=[person.pk],
        context=context,
        reason=correction_reason,
        changes={
            "status": [before, status],
            "effective_date": effective_date.isoformat(),
            "corrects": str(corrects.pk) if corrects is not None else "",
            "alert": change.alert,
        },
    )
    return EducationChangeRecorded(change, created=True, education_agency=education)


# --- School place applications -----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def school_place_application_record(
    *,
    actor: User,
    context: AuditContext,
    case: Case,
    school_name: str,
    applied_on: date | None,
    due_on: date | None,
    note: str = "",
) -> SchoolPlaceApplication:
    """Record a school place applied for, and start its clock (SCHOOL_PLACE_APPLICATION), due at the end of
    the working day on `due_on`. The case owner is told of it when someone else records it."""
    agency = _require_case_worker(actor)
    case, person = _lock_open_case(case)
    errors: dict[str, str] = {}
    school_name = _text(errors, "school_name", school_name, limit=MAX_NAME, what="The name of the school")
    if not school_name and "school_name" not in errors:
        errors["school_name"] = "Enter the name of the school applied to"
    note = _text(errors, "note", note, limit=MAX_TEXT, what="The note")
    _check_date(errors, "applied_on", applied_on, what="the date it was applied for", person=person)
    if due_on is None:
        errors["due_on"] = "Enter the date a decision is due by"
    elif applied_on is not None and "applied_on" not in errors:
        if due_on < applied_on:
            errors["due_on"] = "The date a decision is due by must be on or after the date it was applied for"
        elif due_on > applied_on + LONGEST_WAIT_FOR_A_PLACE:
            errors["due_on"] = (
                "The date a decision is due by must be within a year of the date it was applied for"
            )
    if errors:
        raise ValidationError(errors)
    assert applied_on is not None and due_on is not None
    application = SchoolPlaceApplication(
        person=person,
        case=case,
        local_authority_id=case.local_authority_id,
        school_name=school_name,
        applied_on=applied_on,
        due_on=due_on,
        note=note,
        recorded_by=actor,
        recorded_by_agency=agency,
    )
    application.full_clean(exclude=["person", "case", "local_authority", "recorded_by", "recorded_by_agency"])
    application.save(force_insert=True)
    owner = case.allocated_worker if case.allocated_worker and case.allocated_worker.is_active else None
    deadline_start(
        policy=PolicyCode.SCHOOL_PLACE_APPLICATION,
        subject=DeadlineSubject(
            subject_type=SCHOOL_PLACE_SUBJECT,
            subject_id=application.pk,
            label=f"{_short_name(person)}: school place at {school_name}"[:200],
            local_authority_id=case.local_authority_id,
            person_id=person.pk,
            case_id=case.pk,
        ),
        # The application is the real-world start; a start later today than now would be in the future.
        started_at=min(_start_of(applied_on), timezone.now()),
        due_at=end_of_working_day(due_on),
        owning_agency=case.lead_agency,
        owner=owner,
        actor=actor,
        context=context,
        announce=owner is not None and owner.pk != actor.pk,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="school_place_application",
        object_id=application.pk,
        person_ids=[person.pk],
        context=context,
        changes={
            "school_name": school_name,
            "applied_on": applied_on.isoformat(),
            "due_on": due_on.isoformat(),
        },
    )
    return application


@transaction.atomic(durable=True)
def school_place_outcome_record(
    *,
    actor: User,
    context: AuditContext,
    application: SchoolPlaceApplication,
    expected_version: int,
    outcome: str,
    outcome_on: date | None,
    outcome_note: str = "",
) -> SchoolPlaceApplication:
    """Record how an application was decided (offered, refused or withdrawn) and meet its clock, as of the
    start of the day of the outcome: a decision on the due date is in time."""
    _require_case_worker(actor)
    locked = (
        SchoolPlaceApplication.objects.select_for_update().select_related("person").get(pk=application.pk)
    )
    if locked.version != expected_version:
        raise ConcurrentEditError(
            "This application was changed by someone else after you opened it. Your changes have not been "
            "saved. Open it again to see the latest version.",
            extra={"current_version": locked.version},
        )
    if locked.is_decided:
        raise ApplicationError("The outcome of this application is already recorded.")
    errors: dict[str, str] = {}
    if outcome not in SchoolPlaceOutcome.values:
        errors["outcome"] = "Select the outcome of the application"
    outcome_note = _text(errors, "outcome_note", outcome_note, limit=MAX_TEXT, what="The note")
    _check_date(
        errors,
        "outcome_on",
        outcome_on,
        what="the date of the outcome",
        person=locked.person,
        not_before=(locked.applied_on, "the date it was applied for"),
    )
    if errors:
        raise ValidationError(errors)
    assert outcome_on is not None
    locked.outcome = outcome
    locked.outcome_on = outcome_on
    locked.outcome_note = outcome_note
    locked.version += 1
    locked.full_clean(exclude=["person", "case", "local_authority", "recorded_by", "recorded_by_agency"])
    locked.save()
    clock = open_clock_of(
        subject_type=SCHOOL_PLACE_SUBJECT, subject_id=locked.pk, policy=PolicyCode.SCHOOL_PLACE_APPLICATION
    )
    if clock is not None:
        deadline_meet(
            deadline_id=clock.pk,
            actor=actor,
            met_at=max(clock.started_at, _start_of(outcome_on)),
            note=locked.get_outcome_display(),
            context=context,
        )
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="school_place_application",
        object_id=locked.pk,
        person_ids=[locked.person_id],
        context=context,
        changes={"outcome": outcome, "outcome_on": outcome_on.isoformat()},
    )
    return locked
