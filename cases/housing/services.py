"""Every write of a child's housing record: one durable transaction each, its audit row inside it. No clocks:
the housing provider and its panel keep their own time, and the record says when each step happened.

Dates: an application, a referral and an outcome are never in the future nor before 1900; a referral of the
child is not before their birth (an application is the family's, and may be older than the child); a panel is
on or after its referral and within a year of it; an outcome is on or after what it decides."""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from cases.housing.models import (
    ApplicantRelationship,
    HousingApplication,
    HousingApplicationOutcome,
    HousingApplicationStatus,
    PanelOutcome,
    SocialNeedsPanelReferral,
)
from cases.models import Case, CaseStatus
from safeguarding.common.errors import ApplicationError, ConcurrentEditError, PermissionRefused
from safeguarding.common.forms import EARLIEST_YEAR
from safeguarding.organisations.models import Agency, User
from safeguarding.organisations.roles import CASE_WORKER_ROLES
from safeguarding.people.models import Person

MAX_TEXT = 2000
MAX_REASON = 4000
MAX_NAME = 160
PANEL_WITHIN = timedelta(days=366)
# Outcomes a panel decides (so the panel's date is needed); a withdrawal needs no panel.
PANEL_DECISIONS = frozenset({PanelOutcome.SUPPORTED, PanelOutcome.NOT_SUPPORTED, PanelOutcome.DEFERRED})


def _require_case_worker(actor: User) -> Agency:
    if actor.agency is None or not actor.has_any_role(*CASE_WORKER_ROLES):
        raise PermissionRefused("Your role does not allow you to record a child's housing.")
    return actor.agency


def _open_case(case: Case) -> Case:
    current = Case.objects.select_related("person").get(pk=case.pk)
    if current.status != CaseStatus.OPEN:
        raise ApplicationError("This case has been closed, so nothing more can be recorded on it.")
    return current


def _text(
    errors: dict[str, str], field: str, value: str, *, limit: int, what: str, required: str = ""
) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        errors[field] = f"{what} must be {limit:,} characters or fewer"
    elif required and not value:
        errors[field] = required
    return value


def _past_date(
    errors: dict[str, str],
    field: str,
    value: date | None,
    *,
    what: str,
    born: date | None = None,
    not_before: tuple[date | None, str] = (None, ""),
    required: bool = True,
) -> None:
    if value is None:
        if required:
            errors[field] = f"Enter {what}"
        return
    earliest, earliest_name = not_before
    if value.year < EARLIEST_YEAR:
        errors[field] = f"{what.capitalize()} must be after 1 January {EARLIEST_YEAR}"
    elif value > timezone.localdate():
        errors[field] = f"{what.capitalize()} must be today or in the past"
    elif born is not None and value < born:
        errors[field] = f"{what.capitalize()} must be on or after the child's date of birth"
    elif earliest is not None and value < earliest:
        errors[field] = f"{what.capitalize()} must be on or after {earliest_name}"


def _stale(kind: str, current_version: int) -> ConcurrentEditError:
    return ConcurrentEditError(
        f"This {kind} was changed by someone else after you opened it. Your changes have not been saved. "
        "Open it again to see the latest version, then make your changes.",
        extra={"current_version": current_version},
    )


def _audit(
    actor: User,
    context: AuditContext,
    action: AuditAction,
    kind: str,
    record: Any,
    person_id: Any,
    **changes: Any,
) -> None:
    audit_event_record(
        actor=actor,
        action=action,
        object_type=kind,
        object_id=record.pk,
        person_ids=[person_id],
        context=context,
        changes={key: str(value) if value is not None else "" for key, value in changes.items()},
    )


# --- Housing applications ----------------------------------------------------------------------------------


def _application_progress(
    errors: dict[str, str], *, applied_on: date | None, status: str, outcome: str, outcome_on: date | None
) -> None:
    """Decided exactly when there is an outcome, which has its date."""
    if status not in HousingApplicationStatus.values:
        errors["status"] = "Select where the application has got to"
        return
    if (outcome and outcome not in HousingApplicationOutcome.values) or (
        status == HousingApplicationStatus.DECIDED and not outcome
    ):
        errors["outcome"] = "Select the outcome of the application"
    elif outcome and status != HousingApplicationStatus.DECIDED:
        errors["status"] = "Select decided for an application with an outcome, or leave the outcome blank"
    if outcome:
        _past_date(
            errors,
            "outcome_on",
            outcome_on,
            what="the date of the outcome",
            not_before=(applied_on, "the date of the application"),
        )
    elif outcome_on is not None and "outcome" not in errors:
        errors["outcome_on"] = "Leave the date of the outcome blank until there is an outcome"


@transaction.atomic(durable=True)
def housing_application_record(
    *,
    actor: User,
    context: AuditContext,
    case: Case,
    applicant_relationship: str,
    applied_on: date | None,
    housing_provider: str,
    status: str = HousingApplicationStatus.SUBMITTED,
    outcome: str = "",
    outcome_on: date | None = None,
    note: str = "",
) -> HousingApplication:
    """Record the family's housing application on the child's open case."""
    agency = _require_case_worker(actor)
    case = _open_case(case)
    errors: dict[str, str] = {}
    if applicant_relationship not in ApplicantRelationship.values:
        errors["applicant_relationship"] = "Select who applied"
    housing_provider = _text(
        errors,
        "housing_provider",
        housing_provider,
        limit=MAX_NAME,
        what="The housing provider",
        required="Enter the housing provider applied to",
    )
    note = _text(errors, "note", note, limit=MAX_TEXT, what="The note")
    _past_date(errors, "applied_on", applied_on, what="the date of the application")
    _application_progress(
        errors,
        applied_on=applied_on if "applied_on" not in errors else None,
        status=status,
        outcome=outcome,
        outcome_on=outcome_on,
    )
    if errors:
        raise ValidationError(errors)
    assert applied_on is not None
    application = HousingApplication(
        person_id=case.person_id,
        case=case,
        local_authority_id=case.local_authority_id,
        applicant_relationship=applicant_relationship,
        applied_on=applied_on,
        housing_provider=housing_provider,
        status=status,
        outcome=outcome,
        outcome_on=outcome_on if outcome else None,
        note=note,
        recorded_by=actor,
        recorded_by_agency=agency,
    )
    application.full_clean(exclude=["person", "case", "local_authority", "recorded_by", "recorded_by_agency"])
    application.save(force_insert=True)
    _audit(
        actor,
        context,
        AuditAction.CREATE,
        "housing_application",
        application,
        case.person_id,
        housing_provider=housing_provider,
        status=status,
        outcome=outcome,
    )
    return application


@transaction.atomic(durable=True)
def housing_application_update(
    *,
    actor: User,
    context: AuditContext,
    application: HousingApplication,
    expected_version: int,
    status: str,
    outcome: str = "",
    outcome_on: date | None = None,
    note: str = "",
) -> HousingApplication:
    """Move the application on: where it has got to, and its outcome once decided."""
    _require_case_worker(actor)
    locked = HousingApplication.objects.select_for_update().get(pk=application.pk)
    if locked.version != expected_version:
        raise _stale("application", locked.version)
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, limit=MAX_TEXT, what="The note")
    _application_progress(
        errors, applied_on=locked.applied_on, status=status, outcome=outcome, outcome_on=outcome_on
    )
    if errors:
        raise ValidationError(errors)
    before = (locked.status, locked.outcome)
    locked.status, locked.outcome = status, outcome
    locked.outcome_on = outcome_on if outcome else None
    locked.note = note
    locked.version += 1
    locked.full_clean(exclude=["person", "case", "local_authority", "recorded_by", "recorded_by_agency"])
    locked.save()
    _audit(
        actor,
        context,
        AuditAction.UPDATE,
        "housing_application",
        locked,
        locked.person_id,
        status=f"{before[0]} -> {status}",
        outcome=f"{before[1]} -> {outcome}",
        outcome_on=locked.outcome_on,
    )
    return locked


# --- Social Needs Panel referrals --------------------------------------------------------------------------


def _panel_progress(
    errors: dict[str, str],
    *,
    referred_on: date | None,
    panel_date: date | None,
    outcome: str,
    outcome_on: date | None,
) -> None:
    if panel_date is not None:
        if panel_date.year < EARLIEST_YEAR:
            errors["panel_date"] = f"The date of the panel must be after 1 January {EARLIEST_YEAR}"
        elif referred_on is not None and panel_date < referred_on:
            errors["panel_date"] = "The date of the panel must be on or after the date of the referral"
        elif referred_on is not None and panel_date > referred_on + PANEL_WITHIN:
            errors["panel_date"] = "The date of the panel must be within a year of the referral"
    if outcome and outcome not in PanelOutcome.values:
        errors["outcome"] = "Select the panel's outcome"
        return
    if not outcome:
        if outcome_on is not None:
            errors["outcome_on"] = "Leave the date of the outcome blank until there is an outcome"
        return
    if outcome in PANEL_DECISIONS and panel_date is None and "panel_date" not in errors:
        errors["panel_date"] = "Enter the date of the panel that decided"
    _past_date(
        errors,
        "outcome_on",
        outcome_on,
        what="the date of the outcome",
        not_before=(referred_on, "the date of the referral"),
    )


@transaction.atomic(durable=True)
def snp_referral_record(
    *,
    actor: User,
    context: AuditContext,
    case: Case,
    referred_on: date | None,
    reason: str,
    panel_date: date | None = None,
    outcome: str = "",
    outcome_on: date | None = None,
    outcome_note: str = "",
) -> SocialNeedsPanelReferral:
    """Record a referral of the child's family to housing's Social Needs Panel."""
    agency = _require_case_worker(actor)
    case = _open_case(case)
    person: Person = case.person
    errors: dict[str, str] = {}
    reason = _text(
        errors,
        "reason",
        reason,
        limit=MAX_REASON,
        what="The reason",
        required="Enter why the family is being referred to the panel",
    )
    outcome_note = _text(errors, "outcome_note", outcome_note, limit=MAX_TEXT, what="The note")
    _past_date(errors, "referred_on", referred_on, what="the date of the referral", born=person.date_of_birth)
    _panel_progress(
        errors,
        referred_on=referred_on if "referred_on" not in errors else None,
        panel_date=panel_date,
        outcome=outcome,
        outcome_on=outcome_on,
    )
    if errors:
        raise ValidationError(errors)
    assert referred_on is not None
    referral = SocialNeedsPanelReferral(
        person=person,
        case=case,
        local_authority_id=case.local_authority_id,
        referred_on=referred_on,
        reason=reason,
        panel_date=panel_date,
        outcome=outcome,
        outcome_on=outcome_on if outcome else None,
        outcome_note=outcome_note,
        recorded_by=actor,
        recorded_by_agency=agency,
    )
    referral.full_clean(exclude=["person", "case", "local_authority", "recorded_by", "recorded_by_agency"])
    referral.save(force_insert=True)
    _audit(
        actor,
        context,
        AuditAction.CREATE,
        "social_needs_panel_referral",
        referral,
        person.pk,
        referred_on=referred_on,
        panel_date=panel_date,
        outcome=outcome,
    )
    return referral


@transaction.atomic(durable=True)
def snp_referral_update(
    *,
    actor: User,
    context: AuditContext,
    referral: SocialNeedsPanelReferral,
    expected_version: int,
    panel_date: date | None,
    outcome: str = "",
    outcome_on: date | None = None,
    outcome_note: str = "",
) -> SocialNeedsPanelReferral:
    """The panel's date once listed, and its outcome once decided."""
    _require_case_worker(actor)
    locked = SocialNeedsPanelReferral.objects.select_for_update().get(pk=referral.pk)
    if locked.version != expected_version:
        raise _stale("referral", locked.version)
    errors: dict[str, str] = {}
    outcome_note = _text(errors, "outcome_note", outcome_note, limit=MAX_TEXT, what="The note")
    _panel_progress(
        errors, referred_on=locked.referred_on, panel_date=panel_date, outcome=outcome, outcome_on=outcome_on
    )
    if errors:
        raise ValidationError(errors)
    before = (locked.panel_date, locked.outcome)
    locked.panel_date = panel_date
    locked.outcome = outcome
    locked.outcome_on = outcome_on if outcome else None
    locked.outcome_note = outcome_note
    locked.version += 1
    locked.full_clean(exclude=["person", "case", "local_authority", "recorded_by", "recorded_by_agency"])
    locked.save()
    _audit(
        actor,
        context,
        AuditAction.UPDATE,
        "social_needs_panel_referral",
        locked,
        locked.person_id,
        panel_date=f"{before[0]} -> {panel_date}",
        outcome=f"{before[1]} -> {outcome}",
        outcome_on=locked.outcome_on,
    )
    return locked
