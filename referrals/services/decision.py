"""The MASH decision: meets the one-working-day clock, opens a case where the work goes on, and for urgent
response starts the 48-hour clock."""

from django.core.exceptions import ValidationError
from django.db import transaction

from audits.context import AuditContext
from audits.models import AuditAction
from cases.models import Case
from cases.services import case_open_within
from referrals.choices import DecisionOutcome, ReferralStatus
from referrals.models import MashDecision, Referral
from referrals.services._common import audit, clock_subject, open_clock, require_mash
from safeguarding.common.errors import ApplicationError
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import deadline_meet, deadline_start, now_from_database
from safeguarding.organisations.models import User

# Decisions that mean continuing multi-agency work, and so a case.
DECISIONS_THAT_OPEN_A_CASE = {
    DecisionOutcome.ASSESSMENT,
    DecisionOutcome.STRATEGY_DISCUSSION,
    DecisionOutcome.URGENT_RESPONSE,
    DecisionOutcome.EXPLOITATION_AND_RISK_PANEL,
}


@transaction.atomic(durable=True)
def mash_decision_record(
    *,
    actor: User,
    context: AuditContext,
    referral: Referral,
    outcome: str,
    rationale: str,
) -> MashDecision:
    """Record the MASH decision: meets the one-working-day clock, notifies the referrer, opens a case where the
    work goes on, and for urgent response starts the 48-hour clock."""
    mash_agency = require_mash(actor)
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": "Select a decision"})
    if not rationale.strip():
        raise ValidationError({"rationale": "Enter the rationale for the decision"})
    locked = Referral.objects.select_for_update().select_related("person").get(pk=referral.pk)
    if hasattr(locked, "decision"):
        raise ApplicationError("A decision has already been recorded for this referral.")
    now = now_from_database()
    if outcome in DECISIONS_THAT_OPEN_A_CASE and locked.case_id is None:
        case = Case.objects.filter(person=locked.person, lead_agency=mash_agency, status="open").first()
        if case is None:
            case = case_open_within(
                actor=actor,
                context=context,
                person=locked.person,
                data={"summary": f"Opened from referral: {DecisionOutcome(outcome).label}"},
            )
        locked.case = case
    locked.status = ReferralStatus.DECIDED
    locked.save(update_fields=["status", "case", "updated_at"])
    decision = MashDecision.objects.create(
        referral=locked,
        outcome=outcome,
        rationale=rationale,
        decided_by=actor,
        decided_at=now,
        # The referrer is told the outcome (not the detail) through the deadlines outbox's email channel
        # when they are a user; an external referrer is told by the practitioner, recorded here as notified.
        referrer_notified_at=now,
    )
    clock = open_clock(locked, PolicyCode.MASH_DECISION)
    if clock is not None:
        deadline_meet(
            deadline_id=clock.pk,
            actor=actor,
            met_at=now,
            note=DecisionOutcome(outcome).label,
            context=context,
        )
    if outcome == DecisionOutcome.URGENT_RESPONSE:
        deadline_start(
            policy=PolicyCode.URGENT_RESPONSE,
            subject=clock_subject(locked),
            started_at=now,
            owning_agency=mash_agency,
            actor=actor,
            context=context,
        )
    audit(actor, context, AuditAction.UPDATE, "referral", locked.pk, locked.person_id, decision=outcome)
    return decision
