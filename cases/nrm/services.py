"""Every write to an NRM referral: recording the referral (which starts the reasonable grounds clock), its
reasonable grounds and conclusive grounds decisions (the first meets the clock; a positive one starts the
recovery period), and the child's Independent Child Trafficking Guardian. Each is one durable transaction
with its audit row; the clock engine queues its own side effects on commit.

Dates are dates (the Home Office's letters give no time), and the clock needs moments: a date stands for the
end of that working day in London, or now if that is still to come. So a referral dated before today is due
at the start of the sixth working day after it (the end of the fifth), and a decision dated on or before the
due date meets the clock in time."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from cases.models import ExploitationType
from cases.nrm.access import (
    can_record_nrm,
    has_visible_open_case,
    may_change_nrm_referral,
    open_case_for_nrm,
)
from cases.nrm.clocks import NRM_REFERRAL_SUBJECT, nrm_clock_label
from cases.nrm.models import (
    NRM_STARTED,
    RECOVERY_PERIOD,
    NrmDecisionMaker,
    NrmOutcome,
    NrmReferral,
)
from safeguarding.common.errors import ApplicationError, ConcurrentEditError, PermissionRefused
from safeguarding.deadlines.calendars import end_of_working_day
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.selectors import open_clock_of
from safeguarding.deadlines.services import (
    DeadlineSubject,
    deadline_meet,
    deadline_start,
    now_from_database,
)
from safeguarding.organisations.models import Agency, User
from safeguarding.people.models import Person

REFERRAL_FIELDS = frozenset({"first_responder", "referred_on", "exploitation_types", "county_lines", "notes"})
DECISION_FIELDS = frozenset({"outcome", "decided_on", "decided_by", "decision_maker_name"})
GUARDIAN_FIELDS = frozenset(
    {"ictg_referred_on", "ictg_allocated_on", "ictg_guardian_name", "ictg_organisation"}
)
# Children need no consent to be referred; from 18 a person must consent, which is not recorded here.
ADULT_AGE = 18
MAX_NAME_LENGTH = 200
MAX_NOTES_LENGTH = 4000


class NrmAlreadyDecided(ApplicationError):
    """The decision was recorded already (perhaps by someone else a moment ago): it is not overwritten."""

    status_code = 409
    code = "already_decided"


class NrmDecisionOutOfOrder(ApplicationError):
    """A conclusive grounds decision without a positive reasonable grounds decision before it."""

    code = "reasonable_grounds_first"


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _moment(day: date, now: datetime) -> datetime:
    """The moment a date stands for on a clock: the end of its working day in London, or now if that is
    later than now (a referral made today)."""
    return min(end_of_working_day(day), now)


def _require_recorder(actor: User) -> Agency:
    if actor.agency is None or not can_record_nrm(actor):
        raise PermissionRefused("Your role does not allow you to record NRM referrals.")
    return actor.agency


def _age_on(person: Person, day: date) -> int | None:
    born = person.date_of_birth
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _text(
    data: dict[str, Any], field: str, errors: dict[str, str], *, required: str = "", limit: int, what: str
) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        errors[field] = required
    elif len(value) > limit:
        errors[field] = f"{what} must be {limit:,} characters or fewer"
    return value


def _past_date(
    value: object,
    field: str,
    errors: dict[str, str],
    *,
    what: str,
    person: Person,
    required: bool = True,
    after: tuple[date, str] | None = None,
) -> date | None:
    """A date that has happened, in the child's life and in the NRM's (since April 2009), and not before
    `after` (the date and how to name it), with GOV.UK's message for each mistake."""
    if value is None or value == "":
        if required:
            errors[field] = f"Enter {what}"
        return None
    if not isinstance(value, date) or isinstance(value, datetime):
        errors[field] = f"{what.capitalize()} must be a real date"
        return None
    if value > timezone.localdate():
        errors[field] = f"{what.capitalize()} must be today or in the past"
    elif person.date_of_birth is not None and value < person.date_of_birth:
        errors[field] = (
            f"{what.capitalize()} must be on or after {person.full_name}'s date of birth "
            f"({_long_date(person.date_of_birth)})"
        )
    elif value < NRM_STARTED:
        errors[field] = (
            f"{what.capitalize()} must be on or after {_long_date(NRM_STARTED)}, when the National Referral "
            "Mechanism began"
        )
    elif after is not None and value < after[0]:
        errors[field] = f"{what.capitalize()} must be on or after {after[1]} ({_long_date(after[0])})"
    return value


def _exploitation_types(value: object, errors: dict[str, str]) -> list[str]:
    chosen = list(value) if isinstance(value, (list, tuple)) else []
    if not chosen:
        errors["exploitation_types"] = "Select the types of exploitation"
        return []
    if any(choice not in ExploitationType.values for choice in chosen):
        errors["exploitation_types"] = "Select the types of exploitation from the list"
        return []
    # Each once, in the list's order.
    return [choice for choice in ExploitationType.values if choice in chosen]


def _referral_fields(person: Person, data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - REFERRAL_FIELDS
    if unknown:
        raise ValueError(f"Not settable on an NRM referral: {sorted(unknown)}")
    errors: dict[str, str] = {}
    first_responder = _text(
        data,
        "first_responder",
        errors,
        required="Enter the name of the first responder organisation that made the referral",
        limit=MAX_NAME_LENGTH,
        what="The first responder organisation",
    )
    referred_on = _past_date(
        data.get("referred_on"), "referred_on", errors, what="the date the referral was made", person=person
    )
    if "referred_on" not in errors and referred_on is not None:
        age = _age_on(person, referred_on)
        if age is not None and age >= ADULT_AGE:
            errors["referred_on"] = (
                f"{person.full_name} was {ADULT_AGE} or over on the date the referral was made. Only a child's "
                "NRM referral is recorded here: an adult must consent to being referred"
            )
    exploitation_types = _exploitation_types(data.get("exploitation_types"), errors)
    notes = _text(data, "notes", errors, limit=MAX_NOTES_LENGTH, what="Notes")
    if errors:
        raise ValidationError(errors)
    return {
        "first_responder": first_responder,
        "referred_on": referred_on,
        "exploitation_types": exploitation_types,
        "county_lines": bool(data.get("county_lines")),
        "notes": notes,
    }


def _refuse_second_awaiting(person: Person) -> None:
    waiting = NrmReferral.objects.filter(person=person, rg_outcome="").first()
    if waiting is not None:
        raise ApplicationError(
            f"{person.full_name} already has an NRM referral waiting for its reasonable grounds decision, made "
            f"on {_long_date(waiting.referred_on)}. Record that decision instead of a second referral.",
            extra={"nrm_referral_id": str(waiting.pk)},
        )


def _audit(
    actor: User, context: AuditContext, action: AuditAction, referral: NrmReferral, **changes: Any
) -> None:
    audit_event_record(
        actor=actor,
        action=action,
        object_type="nrm_referral",
        object_id=referral.pk,
        person_ids=[referral.person_id],
        context=context,
        changes={key: str(value) for key, value in changes.items()},
    )


@transaction.atomic(durable=True)
def nrm_referral_create(
    *, actor: User, context: AuditContext, person: Person, data: dict[str, Any]
) -> NrmReferral:
    """Record a child's NRM referral on their open case and start the reasonable grounds clock (5 working
    days, tracked only: the competent authority meets it, we watch), owned by whoever recorded it."""
    agency = _require_recorder(actor)
    case = open_case_for_nrm(actor, person)
    if case is None:
        if has_visible_open_case(actor, person):
            raise PermissionRefused(
                f"Only the agency that leads {person.full_name}'s case can record an NRM referral for them."
            )
        raise ApplicationError(
            f"{person.full_name} has no open case that you can change. An NRM referral is recorded on the "
            "child's open case: open one first, or ask the agency that leads it."
        )
    fields = _referral_fields(person, data)
    _refuse_second_awaiting(person)
    referral = NrmReferral(case=case, person=person, recording_agency=agency, recorded_by=actor, **fields)
    referral.full_clean(
        exclude=["case", "person", "recording_agency", "recorded_by"], validate_constraints=False
    )
    try:
        with transaction.atomic():  # savepoint: the same referral recorded at the same moment is refused
            referral.save(force_insert=True)
    except IntegrityError:
        _refuse_second_awaiting(person)
        raise
    now = now_from_database()
    deadline_start(
        policy=PolicyCode.NRM_REASONABLE_GROUNDS,
        subject=DeadlineSubject(
            subject_type=NRM_REFERRAL_SUBJECT,
            subject_id=referral.pk,
            label=nrm_clock_label(referral),
            local_authority_id=case.local_authority_id,
            person_id=person.pk,
            case_id=case.pk,
        ),
        started_at=_moment(referral.referred_on, now),
        owning_agency=agency,
        owner=actor,
        actor=actor,
        context=context,
        now=now,
    )
    _audit(
        actor,
        context,
        AuditAction.CREATE,
        referral,
        referred_on=referral.referred_on,
        first_responder=referral.first_responder,
        exploitation_types=",".join(referral.exploitation_types),
        county_lines=referral.county_lines,
    )
    return referral


def _lock_for_writing(actor: User, referral: NrmReferral) -> NrmReferral:
    _require_recorder(actor)
    if not may_change_nrm_referral(actor, referral):
        raise PermissionRefused("Only the agency that leads the child's case can record this.")
    locked = NrmReferral.objects.select_for_update().select_related("person").get(pk=referral.pk)
    return locked


def _decision_fields(
    data: dict[str, Any], person: Person, *, after: tuple[date, str]
) -> tuple[str, date, str, str]:
    unknown = set(data) - DECISION_FIELDS
    if unknown:
        raise ValueError(f"Not part of a decision: {sorted(unknown)}")
    errors: dict[str, str] = {}
    outcome = str(data.get("outcome") or "")
    if outcome not in NrmOutcome.values:
        errors["outcome"] = "Select whether the decision was positive or negative"
    decided_on = _past_date(
        data.get("decided_on"),
        "decided_on",
        errors,
        what="the date of the decision",
        person=person,
        after=after,
    )
    decided_by = str(data.get("decided_by") or "")
    if decided_by not in NrmDecisionMaker.values:
        errors["decided_by"] = "Select who made the decision"
    name = _text(
        data,
        "decision_maker_name",
        errors,
        required="Enter the name of the team or panel that made the decision",
        limit=MAX_NAME_LENGTH,
        what="The name of the team or panel",
    )
    if errors:
        raise ValidationError(errors)
    assert decided_on is not None
    return outcome, decided_on, decided_by, name


@transaction.atomic(durable=True)
def nrm_reasonable_grounds_record(
    *, actor: User, context: AuditContext, referral: NrmReferral, data: dict[str, Any]
) -> NrmReferral:
    """Record the reasonable grounds decision, which meets its clock (late if dated after the clock was due).
    A positive one starts the recovery period: at least 30 days, from the decision."""
    locked = _lock_for_writing(actor, referral)
    if locked.rg_outcome:
        raise NrmAlreadyDecided(
            f"The reasonable grounds decision was already recorded: {locked.get_rg_outcome_display().lower()}, "
            f"on {_long_date(locked.rg_decided_on or locked.referred_on)}."
        )
    outcome, decided_on, decided_by, name = _decision_fields(
        data, locked.person, after=(locked.referred_on, "the date the referral was made")
    )
    locked.rg_outcome, locked.rg_decided_on = outcome, decided_on
    locked.rg_decided_by, locked.rg_decision_maker_name = decided_by, name
    if outcome == NrmOutcome.POSITIVE:
        locked.recovery_starts_on = decided_on
        locked.recovery_earliest_end_on = decided_on + RECOVERY_PERIOD
    locked.version += 1
    locked.full_clean(
        exclude=["case", "person", "recording_agency", "recorded_by"], validate_constraints=False
    )
    locked.save()
    clock = open_clock_of(
        subject_type=NRM_REFERRAL_SUBJECT, subject_id=locked.pk, policy=PolicyCode.NRM_REASONABLE_GROUNDS
    )
    # None when someone already recorded the clock as met, or cancelled it, from the clock panel.
    if clock is not None:
        deadline_meet(
            deadline_id=clock.pk,
            actor=actor,
            met_at=max(_moment(decided_on, now_from_database()), clock.started_at),
            note=f"{locked.get_rg_outcome_display()} reasonable grounds decision by {name}",
            context=context,
        )
    _audit(
        actor,
        context,
        AuditAction.UPDATE,
        locked,
        what="reasonable grounds decision",
        outcome=outcome,
        decided_on=decided_on,
        decided_by=decided_by,
        decision_maker_name=name,
    )
    return locked


@transaction.atomic(durable=True)
def nrm_conclusive_grounds_record(
    *, actor: User, context: AuditContext, referral: NrmReferral, data: dict[str, Any]
) -> NrmReferral:
    """Record the conclusive grounds decision: only after a positive reasonable grounds decision, and no
    sooner than the end of its recovery period (30 days after it)."""
    locked = _lock_for_writing(actor, referral)
    if locked.cg_outcome:
        raise NrmAlreadyDecided(
            f"The conclusive grounds decision was already recorded: {locked.get_cg_outcome_display().lower()}, "
            f"on {_long_date(locked.cg_decided_on or locked.referred_on)}."
        )
    if not locked.rg_outcome:
        raise NrmDecisionOutOfOrder(
            "Record the reasonable grounds decision first. A conclusive grounds decision follows a positive "
            "reasonable grounds decision, at least 30 days after it."
        )
    if locked.rg_outcome == NrmOutcome.NEGATIVE:
        raise NrmDecisionOutOfOrder(
            "The reasonable grounds decision was negative, so there is no conclusive grounds decision to "
            "record. A reconsideration can be asked for from the competent authority."
        )
    assert locked.recovery_earliest_end_on is not None and locked.rg_decided_on is not None
    outcome, decided_on, decided_by, name = _decision_fields(
        data,
        locked.person,
        after=(
            locked.recovery_earliest_end_on,
            "the end of the recovery period, 30 days after the reasonable grounds decision",
        ),
    )
    locked.cg_outcome, locked.cg_decided_on = outcome, decided_on
    locked.cg_decided_by, locked.cg_decision_maker_name = decided_by, name
    locked.version += 1
    locked.full_clean(
        exclude=["case", "person", "recording_agency", "recorded_by"], validate_constraints=False
    )
    locked.save()
    _audit(
        actor,
        context,
        AuditAction.UPDATE,
        locked,
        what="conclusive grounds decision",
        outcome=outcome,
        decided_on=decided_on,
        decided_by=decided_by,
        decision_maker_name=name,
    )
    return locked


@transaction.atomic(durable=True)
def nrm_guardian_record(
    *,
    actor: User,
    context: AuditContext,
    referral: NrmReferral,
    expected_version: int,
    data: dict[str, Any],
) -> NrmReferral:
    """Record (or correct) the child's referral to the Independent Child Trafficking Guardian service and,
    once one is allocated, the guardian. Carries the version read: a stale one is refused, never merged."""
    unknown = set(data) - GUARDIAN_FIELDS
    if unknown:
        raise ValueError(f"Not part of a guardian's record: {sorted(unknown)}")
    locked = _lock_for_writing(actor, referral)
    if locked.version != expected_version:
        raise ConcurrentEditError(
            "This referral was changed by someone else after you opened it. Your changes have not been saved. "
            "Open it again to see the latest version, then make your changes.",
            extra={"current_version": locked.version},
        )
    person = locked.person
    errors: dict[str, str] = {}
    referred_on = _past_date(
        data.get("ictg_referred_on"),
        "ictg_referred_on",
        errors,
        what="the date the child was referred to the guardian service",
        person=person,
    )
    allocated_on = _past_date(
        data.get("ictg_allocated_on"),
        "ictg_allocated_on",
        errors,
        what="the date the guardian was allocated",
        person=person,
        required=False,
        after=(referred_on, "the date the child was referred to the service") if referred_on else None,
    )
    name = _text(data, "ictg_guardian_name", errors, limit=MAX_NAME_LENGTH, what="The guardian's name")
    organisation = _text(
        data, "ictg_organisation", errors, limit=MAX_NAME_LENGTH, what="The guardian's organisation"
    )
    if allocated_on is not None:
        if not name and "ictg_guardian_name" not in errors:
            errors["ictg_guardian_name"] = "Enter the guardian's name"
        if not organisation and "ictg_organisation" not in errors:
            errors["ictg_organisation"] = "Enter the guardian's organisation"
    elif (name or organisation) and "ictg_allocated_on" not in errors:
        errors["ictg_allocated_on"] = "Enter the date the guardian was allocated"
    if errors:
        raise ValidationError(errors)
    changes = {
        field: [str(getattr(locked, field) or ""), str(value or "")]
        for field, value in (
            ("ictg_referred_on", referred_on),
            ("ictg_allocated_on", allocated_on),
            ("ictg_guardian_name", name),
            ("ictg_organisation", organisation),
        )
        if getattr(locked, field) != value
    }
    if not changes:
        return locked
    locked.ictg_referred_on, locked.ictg_allocated_on = referred_on, allocated_on
    locked.ictg_guardian_name, locked.ictg_organisation = name, organisation
    locked.version += 1
    locked.full_clean(
        exclude=["case", "person", "recording_agency", "recorded_by"], validate_constraints=False
    )
    locked.save()
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="nrm_referral",
        object_id=locked.pk,
        person_ids=[locked.person_id],
        context=context,
        changes={"what": "guardian", **changes},
    )
    return locked
