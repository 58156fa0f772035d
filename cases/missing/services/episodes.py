"""Reporting a child missing (which closes any return home interview still open from an earlier episode, and
works out whether this is repeat missing), the episode's risk grading over time, its Philomena Part 2, and
an authority's repeat-missing threshold."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from audits.services import audit_event_record
from cases.missing.models import (
    MissingEpisode,
    MissingFrom,
    MissingRiskAssessment,
    MissingSettings,
    RhiOutcome,
    RiskGrade,
)
from cases.missing.selectors import settings_for
from cases.missing.services._common import (
    audit,
    check_moment,
    lock_episode,
    open_case_for_writing,
)
from safeguarding.common.errors import ApplicationError, PermissionRefused
from safeguarding.deadlines.models import OPEN_STATUSES, Deadline
from safeguarding.deadlines.services import deadline_cancel
from safeguarding.organisations.models import Agency, LocalAuthority, User
from safeguarding.organisations.roles import MANAGER_ROLES, Role
from safeguarding.people.models import Person


@dataclass(frozen=True)
class EpisodeReport:
    reported_at: datetime | None
    missing_from: str
    last_seen_at: datetime | None
    last_seen_where: str
    risk_grade: str
    risk_basis: str
    reported_by_name: str = ""
    reported_by_agency: Agency | None = None
    police_reference: str = ""
    last_seen_by: str = ""


@dataclass(frozen=True)
class Part2Details:
    clothing: str = ""
    appearance_now: str = ""
    belongings: str = ""
    circumstances: str = ""
    anything_new: str = ""


def _validate_report(data: EpisodeReport, person: Person, previous: MissingEpisode | None) -> None:
    errors: dict[str, str] = {}
    if not data.reported_by_name.strip() and data.reported_by_agency is None:
        errors["reported_by_name"] = "Enter who reported them missing, or select the agency that did"
    if data.reported_by_agency is not None and data.reported_by_agency.local_authority_id != (
        person.local_authority_id
    ):
        errors["reported_by_agency"] = "Select an agency from the list"
    check_moment(
        errors,
        "last_seen_at",
        data.last_seen_at,
        what="The date they were last seen",
        person=person,
        required="Enter the date they were last seen",
    )
    check_moment(
        errors,
        "reported_at",
        data.reported_at,
        what="The date they were reported missing",
        person=person,
        required="Enter the date they were reported missing",
    )
    if (
        "reported_at" not in errors
        and data.reported_at
        and data.last_seen_at
        and data.reported_at < (data.last_seen_at)
    ):
        errors["reported_at"] = (
            "The date they were reported missing must be the same as or after the date they were last seen"
        )
    if (
        "last_seen_at" not in errors
        and previous is not None
        and previous.found_at is not None
        and data.last_seen_at is not None
        and data.last_seen_at < previous.found_at
    ):
        errors["last_seen_at"] = (
            "The date they were last seen must be after they were found from their last missing episode "
            f"({timezone.localtime(previous.found_at):%d %B %Y %H:%M})"
        )
    if data.missing_from not in MissingFrom.values:
        errors["missing_from"] = "Select where they went missing from"
    if not data.last_seen_where.strip():
        errors["last_seen_where"] = "Enter where they were last seen"
    if data.risk_grade not in RiskGrade.values:
        errors["risk_grade"] = "Select the risk grade"
    if not data.risk_basis.strip():
        errors["risk_basis"] = "Enter what the risk grade is based on"
    if errors:
        raise ValidationError(errors)


def _close_open_interviews(
    *, actor: User, context: AuditContext, person: Person, new_episode: MissingEpisode
) -> list[MissingEpisode]:
    """Going missing again ends the wait for the earlier episode's return home interview: recorded on that
    episode and its clock cancelled with the reason, so it never just lapses."""
    seen = timezone.localtime(new_episode.last_seen_at)
    reason = f"The child went missing again (last seen {seen:%d %B %Y %H:%M}) before the interview was held."
    closed = []
    pending = (
        MissingEpisode.objects.select_for_update(of=("self",))
        .filter(person=person, found_at__isnull=False, rhi_outcome="")
        .exclude(pk=new_episode.pk)
    )
    now = timezone.now()
    for episode in pending:
        episode.rhi_outcome = RhiOutcome.MISSING_AGAIN
        episode.rhi_outcome_at = new_episode.last_seen_at
        episode.rhi_reason = reason
        episode.rhi_recorded_at = now
        episode.rhi_recorded_by = actor
        episode.version += 1
        episode.save()
        if (
            episode.rhi_deadline_id is not None
            and Deadline.objects.filter(pk=episode.rhi_deadline_id, status__in=OPEN_STATUSES).exists()
        ):
            deadline_cancel(deadline_id=episode.rhi_deadline_id, actor=actor, reason=reason, context=context)
        audit(
            actor,
            context,
            AuditAction.UPDATE,
            "missing_episode",
            episode.pk,
            person.pk,
            reason=reason,
            rhi_outcome=RhiOutcome.MISSING_AGAIN,
            new_episode=new_episode.pk,
        )
        closed.append(episode)
    return closed


@transaction.atomic(durable=True)
def missing_episode_report(
    *, actor: User, context: AuditContext, person: Person, data: EpisodeReport
) -> MissingEpisode:
    """Record that the child has been reported missing, on their open case, with the first risk grade. An
    earlier episode's return home interview still to be held is closed (the child went missing again), and
    the episode records whether it meets the authority's repeat-missing threshold (the prompt for a
    strategy discussion or an ERP referral)."""
    case = open_case_for_writing(actor, person)
    assert actor.agency is not None
    previous = MissingEpisode.objects.filter(person=person).order_by("-reported_at").first()
    if previous is not None and previous.found_at is None:
        raise ApplicationError(
            f"{person.full_name} is already recorded as missing (reported "
            f"{timezone.localtime(previous.reported_at):%d %B %Y %H:%M}). Record their return from that "
            "episode first."
        )
    _validate_report(data, person, previous)
    assert data.reported_at is not None and data.last_seen_at is not None
    threshold = settings_for(case.local_authority_id)
    in_window = MissingEpisode.objects.filter(
        person=person,
        reported_at__gt=data.reported_at - threshold.window,
        reported_at__lte=data.reported_at,
    ).count()
    episode = MissingEpisode(
        person=person,
        case=case,
        local_authority_id=case.local_authority_id,
        recorded_by=actor,
        recording_agency=actor.agency,
        reported_by_name=data.reported_by_name.strip(),
        reported_by_agency=data.reported_by_agency,
        reported_at=data.reported_at,
        police_reference=data.police_reference.strip(),
        missing_from=data.missing_from,
        last_seen_at=data.last_seen_at,
        last_seen_where=data.last_seen_where.strip(),
        last_seen_by=data.last_seen_by.strip(),
        risk_grade=data.risk_grade,
        repeat_count=in_window + 1,
        repeat_window_days=threshold.repeat_window_days,
        repeat_prompted=in_window + 1 >= threshold.repeat_episodes,
    )
    episode.full_clean(
        exclude=["person", "case", "local_authority", "recorded_by", "recording_agency", "reported_by_agency"]
    )
    episode.save(force_insert=True)
    MissingRiskAssessment.objects.create(
        episode=episode,
        grade=data.risk_grade,
        assessed_at=data.reported_at,
        assessed_by=actor,
        assessed_by_agency=actor.agency,
        basis=data.risk_basis.strip()[:2000],
    )
    closed = _close_open_interviews(actor=actor, context=context, person=person, new_episode=episode)
    audit(
        actor,
        context,
        AuditAction.CREATE,
        "missing_episode",
        episode.pk,
        person.pk,
        risk_grade=episode.risk_grade,
        repeat_count=episode.repeat_count,
        repeat_prompted=episode.repeat_prompted,
        interviews_closed=len(closed),
    )
    return episode


@transaction.atomic(durable=True)
def missing_risk_grade_record(
    *,
    actor: User,
    context: AuditContext,
    episode: MissingEpisode,
    grade: str,
    assessed_at: datetime | None,
    basis: str,
) -> MissingRiskAssessment:
    """A new grading of the episode's risk, kept in its history; the latest (by when it was assessed) is the
    episode's grade."""
    locked = lock_episode(actor, episode, None)
    assert actor.agency is not None
    errors: dict[str, str] = {}
    if grade not in RiskGrade.values:
        errors["grade"] = "Select the risk grade"
    check_moment(
        errors,
        "assessed_at",
        assessed_at,
        what="The date the risk was assessed",
        person=locked.person,
        required="Enter the date the risk was assessed",
    )
    if "assessed_at" not in errors and assessed_at is not None and assessed_at < locked.last_seen_at:
        errors["assessed_at"] = "The date the risk was assessed must be after they were last seen"
    if not basis.strip():
        errors["basis"] = "Enter what the risk grade is based on"
    if errors:
        raise ValidationError(errors)
    assert assessed_at is not None
    assessment = MissingRiskAssessment.objects.create(
        episode=locked,
        grade=grade,
        assessed_at=assessed_at,
        assessed_by=actor,
        assessed_by_agency=actor.agency,
        basis=basis.strip()[:2000],
    )
    latest = MissingRiskAssessment.objects.filter(episode=locked).order_by("-assessed_at", "-id").first()
    assert latest is not None
    before = locked.risk_grade
    if latest.grade != before:
        locked.risk_grade = latest.grade
        locked.save(update_fields=["risk_grade", "updated_at"])
    audit(
        actor,
        context,
        AuditAction.UPDATE,
        "missing_episode",
        locked.pk,
        locked.person_id,
        risk_assessed=grade,
        risk_grade=f"{before} -> {locked.risk_grade}",
    )
    return assessment


@transaction.atomic(durable=True)
def missing_part2_update(
    *,
    actor: User,
    context: AuditContext,
    episode: MissingEpisode,
    expected_version: int,
    data: Part2Details,
) -> MissingEpisode:
    """Philomena Part 2: what the child was wearing and had with them, how they look now, the circumstances
    and anything new since Part 1, recorded at the time they went missing."""
    locked = lock_episode(actor, episode, expected_version)
    changed = []
    for field in ("clothing", "appearance_now", "belongings", "circumstances", "anything_new"):
        value = getattr(data, field).strip()
        if getattr(locked, field) != value:
            setattr(locked, field, value)
            changed.append(field)
    locked.part2_updated_at = timezone.now()
    locked.version += 1
    locked.full_clean(
        exclude=[
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
    )
    locked.save()
    audit(
        actor,
        context,
        AuditAction.UPDATE,
        "missing_episode",
        locked.pk,
        locked.person_id,
        part2=",".join(changed),
    )
    return locked


@transaction.atomic(durable=True)
def missing_settings_set(
    *,
    actor: User,
    context: AuditContext,
    local_authority: LocalAuthority,
    repeat_episodes: int,
    repeat_window_days: int,
) -> MissingSettings:
    """Set the authority's repeat-missing threshold: its managers and system administrators may."""
    in_authority = actor.agency is not None and actor.agency.local_authority_id == local_authority.pk
    if not (
        actor.is_superuser or (in_authority and actor.has_any_role(*MANAGER_ROLES, Role.SYSTEM_ADMINISTRATOR))
    ):
        raise PermissionRefused("Only the authority's managers can set the repeat-missing threshold.")
    found = MissingSettings.objects.select_for_update().filter(local_authority=local_authority).first()
    settings = found or MissingSettings(local_authority=local_authority)
    settings.repeat_episodes = repeat_episodes
    settings.repeat_window_days = repeat_window_days
    settings.full_clean(exclude=["local_authority"])
    settings.save()
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="missing_settings",
        object_id=None,
        context=context,
        changes={
            "local_authority": str(local_authority.pk),
            "repeat_episodes": str(repeat_episodes),
            "repeat_window_days": str(repeat_window_days),
        },
    )
    return settings
