"""The MASH decision: meets the one-working-day clock, opens a case where the work goes on, and for urgent
response starts the 48-hour clock."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from cases.models import Case
from cases.services import case_open_within, case_share_within
from panels.models import Panel, PanelKind, ReferralSource
from panels.services import panel_referral_create_within
from referrals.choices import Concern, DecisionOutcome, RagRating, ReferralStatus
from referrals.models import CustodyBooking, InformationRequest, MashDecision, Referral
from referrals.selectors import REFERRAL_CLOCK_SUBJECTS
from referrals.services._common import audit, clock_subject, open_clock, require_mash
from safeguarding.common.errors import ApplicationError
from safeguarding.deadlines.models import Deadline
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


# What a referral's concerns and RAG rating say, in the panel's terms.
EXPLOITATION_FOR_CONCERN: dict[str, str] = {
    Concern.CRIMINAL_EXPLOITATION: "criminal",
    Concern.DRUG_DEBT: "criminal",
    Concern.COUNTY_LINES: "county_lines",
    Concern.SEXUAL_EXPLOITATION: "sexual",
    Concern.GANGS: "gangs",
    Concern.TRAFFICKING: "trafficking",
}
RISK_FOR_RAG: dict[str, str] = {RagRating.RED: "high", RagRating.AMBER: "medium", RagRating.GREEN: "low"}


def _refer_to_panel(actor: User, context: AuditContext, referral: Referral, rationale: str) -> None:
    """Refer to the ERP: the referral lands in the authority's ERP queue, with where it came from."""
    panel = Panel.objects.filter(local_authority_id=referral.local_authority_id, kind=PanelKind.ERP).first()
    if panel is None:
        raise ApplicationError(
            "No Exploitation and Risk Panel is set up for this authority yet, so the referral cannot be sent. "
            "Ask the panel coordinator to set one up."
        )
    types = sorted({EXPLOITATION_FOR_CONCERN[c] for c in referral.concerns if c in EXPLOITATION_FOR_CONCERN})
    panel_referral_create_within(
        actor=actor,
        context=context,
        panel=panel,
        about=referral.person,
        data={
            "reason": rationale,
            # A decision to refer to the ERP is a decision that exploitation is the concern.
            "exploitation_types": types or ["criminal"],
            "current_risk": RISK_FOR_RAG.get(referral.rag_rating, "medium"),
        },
        source=ReferralSource.MASH_DECISION,
        source_type="referral",
        source_id=referral.pk,
        case=referral.case,
    )


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
        # The child's open case, whoever leads it (one per person per authority), else a new one.
        case = Case.objects.filter(
            person=locked.person, local_authority_id=locked.local_authority_id, status="open"
        ).first()
        if case is None:
            case = _open_case_from(locked, actor=actor, context=context, outcome=outcome)
        locked.case = case
        _attach_clocks_to_case(locked, case)
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
            # The urgent response team is told; one of its workers takes it (deadline_allocate).
            announce=True,
        )
    if outcome == DecisionOutcome.EXPLOITATION_AND_RISK_PANEL:
        _refer_to_panel(actor, context, locked, rationale)
    _decide_linked(locked, decision, actor=actor, context=context)
    audit(actor, context, AuditAction.UPDATE, "referral", locked.pk, locked.person_id, decision=outcome)
    return decision


def _attach_clocks_to_case(referral: Referral, case: Case) -> None:
    """The referral's clocks (its own, its custody booking's, its requests') belong to the case it led to,
    so the case page, the dashboard's exports and the audit of them name the case."""
    subject_ids = [
        referral.pk,
        *CustodyBooking.objects.filter(referral=referral).values_list("pk", flat=True),
        *InformationRequest.objects.filter(referral=referral).values_list("pk", flat=True),
    ]
    Deadline.objects.filter(
        subject_type__in=REFERRAL_CLOCK_SUBJECTS, subject_id__in=subject_ids, case__isnull=True
    ).update(case=case)


def _open_case_from(referral: Referral, *, actor: User, context: AuditContext, outcome: str) -> Case:
    """The case a decision opens carries what the MASH learned: the exploitation its concerns name, the
    risk its RAG rating gave, and the agencies that answered its requests (shared with them, so the work
    goes on together). Its referrals link to it (Referral.case); the person page lists them."""
    types = sorted({EXPLOITATION_FOR_CONCERN[c] for c in referral.concerns if c in EXPLOITATION_FOR_CONCERN})
    case = case_open_within(
        actor=actor,
        context=context,
        person=referral.person,
        data={
            "summary": f"Opened from referral: {DecisionOutcome(outcome).label}",
            "exploitation_types": types,
            "risk_level": RISK_FOR_RAG.get(referral.rag_rating, "not_assessed"),
        },
    )
    answered = (
        referral.information_requests.filter(answered_at__isnull=False)
        .exclude(agency_id=case.lead_agency_id)
        .select_related("agency")
    )
    for request in answered:
        case_share_within(
            actor=actor,
            case=case,
            agency=request.agency,
            lawful_basis=referral.lawful_basis,
            reason="It answered the MASH's information request about this child.",
            context=context,
        )
    return case


def _decide_linked(referral: Referral, decision: MashDecision, *, actor: User, context: AuditContext) -> None:
    """The referrals linked to this one (received about the child while it was open) are decided with it."""
    received = timezone.localtime(referral.received_at).strftime("%-d %B %Y %H:%M")
    for linked in Referral.objects.select_for_update().filter(
        linked_to=referral, status__in=[ReferralStatus.RECEIVED, ReferralStatus.GATHERING]
    ):
        linked.status = ReferralStatus.DECIDED
        linked.case = referral.case
        linked.save(update_fields=["status", "case", "updated_at"])
        MashDecision.objects.create(
            referral=linked,
            outcome=decision.outcome,
            rationale=f"Decided with the referral received {received}: {decision.rationale}"[:4000],
            decided_by=actor,
            decided_at=decision.decided_at,
            referrer_notified_at=decision.decided_at,
        )
        audit(actor, context, AuditAction.UPDATE, "referral", linked.pk, linked.person_id, decision="linked")
