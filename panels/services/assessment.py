"""The structured risk assessment of an item, against the active version of the instrument."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from panels.models import AgendaItem, RiskAssessment, RiskInstrument
from panels.risk import DEFAULT_INSTRUMENT, instrument_check, risk_score, trajectory
from panels.services._common import audit, require_running, require_unlocked
from safeguarding.common.errors import ApplicationError
from safeguarding.organisations.models import User

INSTRUMENT_CODE = "erp"
TEXT_FIELDS = ("evidence", "professional_judgement", "danger_statement", "safety_goal")


def active_instrument() -> RiskInstrument:
    """The instrument in use; the first time, version 1 of the default is recorded."""
    found = RiskInstrument.objects.filter(code=INSTRUMENT_CODE, active=True).first()
    if found is not None:
        return found
    instrument_check(DEFAULT_INSTRUMENT)
    instrument, _ = RiskInstrument.objects.get_or_create(
        code=INSTRUMENT_CODE,
        version=1,
        defaults={"name": "ERP exploitation risk assessment", "definition": DEFAULT_INSTRUMENT},
    )
    return instrument


def age_on(date_of_birth: date | None, estimated: int | None, day: date) -> int | None:
    if date_of_birth is None:
        return estimated
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


@transaction.atomic(durable=True)
def risk_assessment_save(
    *, actor: User, context: AuditContext, item: AgendaItem, answers: dict[str, str], text: dict[str, Any]
) -> RiskAssessment:
    """Score and save the item's assessment (again, as the discussion goes on). Evidence and professional
    judgement are kept apart; the level sets the referral's current risk and its trajectory is measured
    against the referral's previous assessment."""
    locked = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting__panel", "referral__person", "referral__context")
        .get(pk=item.pk)
    )
    require_running(actor, locked.meeting.panel)
    require_unlocked(locked.meeting)
    unknown = set(text) - set(TEXT_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    existing = RiskAssessment.objects.filter(item=locked).select_related("instrument").first()
    instrument = existing.instrument if existing is not None else active_instrument()
    person = locked.referral.person
    if person is None:
        raise ApplicationError(
            "The risk instrument is for a child. Assess a place or group with a contextual assessment on its page."
        )
    age = age_on(
        person.date_of_birth,
        person.estimated_age_years,
        timezone.localtime(locked.meeting.scheduled_for).date(),
    )
    result = risk_score(instrument.definition, answers, age)
    if not answers:
        raise ApplicationError("Record at least one indicator, with how recently it was seen.")
    previous = (
        RiskAssessment.objects.filter(referral=locked.referral)
        .exclude(item=locked)
        .order_by("-created_at")
        .values_list("level", flat=True)
        .first()
    ) or ""
    assessment = existing or RiskAssessment(
        item=locked, referral=locked.referral, instrument=instrument, assessed_by=actor
    )
    assessment.answers = answers
    for field in TEXT_FIELDS:
        if field in text:
            setattr(assessment, field, str(text[field]).strip())
    assessment.score = result.score
    assessment.level = result.level
    assessment.previous_level = previous
    assessment.trajectory = trajectory(previous, result.level)
    assessment.age_at_assessment = age
    assessment.assessed_by = actor
    assessment.save()
    referral = locked.referral
    referral.current_risk = result.level
    referral.save(update_fields=["current_risk", "updated_at"])
    audit(
        actor,
        context,
        AuditAction.UPDATE if existing else AuditAction.CREATE,
        "panel_risk_assessment",
        assessment.pk,
        [person.pk],
        score=result.score,
        level=result.level,
        raised_for_age=result.raised_for_age,
    )
    return assessment
