"""The child's return from a missing episode, which starts the 72-hour return home interview clock from the
time they were found (not the time it was typed in), and the interview's outcome, which closes that clock:

- held by someone independent of the child's care: the clock is met at the time it was held (late if after
  the 72 hours);
- refused by the child, with the reason (required): the clock is met at the time of the refusal, as the
  policy says ("an independent RHI held, or a refusal recorded with a reason");
- a decision not to hold one, with the reason: the clock is cancelled with that reason;
- the child going missing again before it was held: closed by the new episode (services/episodes.py)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from cases.missing.clocks import episode_deadline_subject
from cases.missing.models import (
    MAX_EXPLOITATION_INDICATORS,
    ExploitationIndicator,
    MissingEpisode,
    RhiOutcome,
)
from cases.missing.services._common import audit, check_moment, lock_episode
from safeguarding.common.errors import ApplicationError
from safeguarding.deadlines.models import OPEN_STATUSES, Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import deadline_cancel, deadline_meet, deadline_start
from safeguarding.organisations.models import User

EPISODE_FIELDS_SET_ELSEWHERE = [
    "person",
    "case",
    "local_authority",
    "recorded_by",
    "recording_agency",
    "reported_by_agency",
    "return_recorded_by",
    "rhi_recorded_by",
    "rhi_deadline",
]


@dataclass(frozen=True)
class ReturnDetails:
    found_at: datetime | None
    found_where: str
    found_by: str
    safe_and_well_done: bool | None
    safe_and_well_at: datetime | None = None
    harm_suffered: str = ""
    exploitation_indicators: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RhiOutcomeDetails:
    outcome: str
    outcome_at: datetime | None = None
    held_by: str = ""
    held_by_role: str = ""
    independent: bool = False
    summary: str = ""
    reason: str = ""


def _indicators(values: tuple[str, ...], errors: dict[str, str]) -> list[str]:
    chosen = list(dict.fromkeys(values))
    if len(values) > MAX_EXPLOITATION_INDICATORS:
        errors["exploitation_indicators"] = f"Select no more than {MAX_EXPLOITATION_INDICATORS} signs"
    elif not set(chosen) <= set(ExploitationIndicator.values):
        errors["exploitation_indicators"] = "Select the signs of exploitation from the list"
    return chosen


def _validate_return(episode: MissingEpisode, data: ReturnDetails) -> list[str]:
    errors: dict[str, str] = {}
    person = episode.person
    check_moment(
        errors,
        "found_at",
        data.found_at,
        what="The date they were found",
        person=person,
        required="Enter the date they were found",
    )
    if "found_at" not in errors and data.found_at is not None:
        if data.found_at < episode.last_seen_at:
            errors["found_at"] = (
                "The date they were found must be the same as or after the date they were last seen"
            )
        elif data.found_at < episode.reported_at:
            errors["found_at"] = (
                "The date they were found must be the same as or after the date they were reported missing"
            )
    if not data.found_where.strip():
        errors["found_where"] = "Enter where they were found"
    if not data.found_by.strip():
        errors["found_by"] = "Enter who found them or brought them back, or that they came back on their own"
    if data.safe_and_well_done is None:
        errors["safe_and_well_done"] = "Select whether the police safe and well check has been done"
    elif data.safe_and_well_done:
        check_moment(
            errors,
            "safe_and_well_at",
            data.safe_and_well_at,
            what="The date of the safe and well check",
            person=person,
            required="Enter the date the safe and well check was done",
        )
        if (
            "safe_and_well_at" not in errors
            and data.safe_and_well_at is not None
            and data.found_at is not None
            and data.safe_and_well_at < data.found_at
        ):
            errors["safe_and_well_at"] = (
                "The safe and well check must be the same as or after they were found"
            )
    chosen = _indicators(data.exploitation_indicators, errors)
    if errors:
        raise ValidationError(errors)
    return chosen


@transaction.atomic(durable=True)
def missing_return_record(
    *,
    actor: User,
    context: AuditContext,
    episode: MissingEpisode,
    expected_version: int,
    data: ReturnDetails,
) -> MissingEpisode:
    """Record that the child was found or came back, and start the return home interview clock from when they
    were found. The case's owner (or, with none, the lead agency's managers) is told, once."""
    locked = lock_episode(actor, episode, expected_version)
    if locked.found_at is not None:
        raise ApplicationError("The child's return from this episode has already been recorded.")
    indicators = _validate_return(locked, data)
    assert data.found_at is not None
    locked.found_at = data.found_at
    locked.found_where = data.found_where.strip()
    locked.found_by = data.found_by.strip()
    locked.safe_and_well_done = data.safe_and_well_done
    locked.safe_and_well_at = data.safe_and_well_at if data.safe_and_well_done else None
    locked.harm_suffered = data.harm_suffered.strip()
    locked.exploitation_indicators = indicators
    locked.return_recorded_at = timezone.now()
    locked.return_recorded_by = actor
    locked.version += 1
    locked.full_clean(exclude=EPISODE_FIELDS_SET_ELSEWHERE)
    locked.rhi_deadline = deadline_start(
        policy=PolicyCode.RETURN_HOME_INTERVIEW,
        subject=episode_deadline_subject(locked),
        started_at=data.found_at,
        owning_agency=locked.case.lead_agency,
        owner=locked.case.allocated_worker,
        actor=actor,
        context=context,
        announce=True,
    )
    locked.save()
    audit(
        actor,
        context,
        AuditAction.UPDATE,
        "missing_episode",
        locked.pk,
        locked.person_id,
        found_at=locked.found_at.isoformat(),
        safe_and_well_done=locked.safe_and_well_done,
        exploitation_indicators=",".join(indicators),
    )
    return locked


def _validate_outcome(episode: MissingEpisode, data: RhiOutcomeDetails) -> datetime:
    errors: dict[str, str] = {}
    person = episode.person
    if data.outcome == RhiOutcome.HELD:
        if not data.held_by.strip():
            errors["held_by"] = "Enter the name of the person who held the interview"
        if not data.held_by_role.strip():
            errors["held_by_role"] = "Enter their role and organisation"
        if not data.independent:
            errors["independent"] = (
                "Confirm that the person who held the interview is independent of the child's care"
            )
        if not data.summary.strip():
            errors["summary"] = "Enter a summary of what the child said"
        asked = "Enter the date the interview was held"
        what = "The date the interview was held"
    elif data.outcome == RhiOutcome.REFUSED:
        if not data.reason.strip():
            errors["reason"] = "Enter why the child refused the interview"
        asked = "Enter the date the child refused the interview"
        what = "The date the child refused"
    elif data.outcome == RhiOutcome.NOT_HELD:
        if not data.reason.strip():
            errors["reason"] = "Enter why it was decided not to hold an interview"
        asked = ""  # the decision is taken now unless told otherwise
        what = "The date of the decision"
    else:
        raise ValidationError({"outcome": "Select what happened with the return home interview"})
    check_moment(errors, "outcome_at", data.outcome_at, what=what, person=person, required=asked)
    assert episode.found_at is not None
    if "outcome_at" not in errors and data.outcome_at is not None and data.outcome_at < episode.found_at:
        errors["outcome_at"] = f"{what} must be the same as or after the child was found"
    if errors:
        raise ValidationError(errors)
    return data.outcome_at or timezone.now()


@transaction.atomic(durable=True)
def missing_rhi_outcome_record(
    *,
    actor: User,
    context: AuditContext,
    episode: MissingEpisode,
    expected_version: int,
    data: RhiOutcomeDetails,
) -> MissingEpisode:
    """Record what happened with the return home interview and close its clock (see the module's note). A
    refusal without a reason is refused, and nothing is saved."""
    locked = lock_episode(actor, episode, expected_version)
    if locked.found_at is None:
        raise ApplicationError("Record the child's return first: the interview follows the return.")
    if locked.rhi_outcome:
        raise ApplicationError(
            f"The interview's outcome is already recorded: {locked.get_rhi_outcome_display().lower()}."
        )
    at = _validate_outcome(locked, data)
    held = data.outcome == RhiOutcome.HELD
    locked.rhi_outcome = data.outcome
    locked.rhi_outcome_at = at
    locked.rhi_held_by = data.held_by.strip() if held else ""
    locked.rhi_held_by_role = data.held_by_role.strip() if held else ""
    locked.rhi_independent = held and data.independent
    locked.rhi_summary = data.summary.strip() if held else ""
    locked.rhi_reason = "" if held else data.reason.strip()
    locked.rhi_recorded_at = timezone.now()
    locked.rhi_recorded_by = actor
    locked.version += 1
    locked.full_clean(exclude=EPISODE_FIELDS_SET_ELSEWHERE)
    locked.save()
    clock_id = locked.rhi_deadline_id
    if clock_id is not None and Deadline.objects.filter(pk=clock_id, status__in=OPEN_STATUSES).exists():
        if held:
            note = f"Held by {locked.rhi_held_by} ({locked.rhi_held_by_role})"
            deadline_meet(deadline_id=clock_id, actor=actor, met_at=at, note=note, context=context)
        elif data.outcome == RhiOutcome.REFUSED:
            note = f"The child refused the interview: {locked.rhi_reason}"
            deadline_meet(deadline_id=clock_id, actor=actor, met_at=at, note=note, context=context)
        else:
            reason = f"Decided not to hold a return home interview: {locked.rhi_reason}"
            deadline_cancel(deadline_id=clock_id, actor=actor, reason=reason, context=context)
    audit(
        actor,
        context,
        AuditAction.UPDATE,
        "missing_episode",
        locked.pk,
        locked.person_id,
        reason=locked.rhi_reason,
        rhi_outcome=locked.rhi_outcome,
        rhi_outcome_at=at.isoformat(),
    )
    return locked
