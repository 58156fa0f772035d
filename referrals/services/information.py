"""Information gathering in the MASH (finding 7): the referral is RAG rated and each agency asked for its
checks, each request with a clock by rating; the asked agency answers and chooses whom the answer is shared
with."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from referrals.choices import RagRating, ReferralStatus
from referrals.models import InformationRequest, Referral
from referrals.services._common import (
    INFORMATION_REQUEST_POLICY,
    audit,
    clock_subject,
    referral_grant_agency,
    require_mash,
)
from safeguarding.common.errors import ApplicationError, PermissionRefused
from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.services import deadline_meet, deadline_start, now_from_database
from safeguarding.organisations.models import Agency, User


@transaction.atomic(durable=True)
def referral_rate(
    *,
    actor: User,
    context: AuditContext,
    referral: Referral,
    rag_rating: str,
    agencies: list[Agency],
    question: str = "",
) -> list[InformationRequest]:
    """Rate the referral and ask each relevant agency for its checks, each with a clock by RAG rating."""
    require_mash(actor)
    if referral.status == ReferralStatus.DECIDED:
        raise ApplicationError("This referral has been decided; it can no longer be rated.")
    if rag_rating not in RagRating.values:
        raise ValidationError({"rag_rating": "Select a RAG rating"})
    if not agencies:
        raise ValidationError({"agencies": "Select at least one agency to ask for information"})
    if any(agency.local_authority_id != referral.local_authority_id for agency in agencies):
        raise ApplicationError("Information can only be requested from agencies of the same authority.")
    referral.rag_rating = rag_rating
    referral.status = ReferralStatus.GATHERING
    referral.save(update_fields=["rag_rating", "status", "updated_at"])
    now = now_from_database()
    created = []
    for agency in agencies:
        request, was_created = InformationRequest.objects.get_or_create(
            referral=referral,
            agency=agency,
            defaults={"rag_rating": rag_rating, "question": question, "requested_by": actor},
        )
        if not was_created:
            continue
        referral_grant_agency(referral=referral, agency=agency, write=False)
        deadline_start(
            policy=INFORMATION_REQUEST_POLICY[RagRating(rag_rating)],
            subject=clock_subject(referral, "information_request", request.pk),
            started_at=now,
            owning_agency=agency,
            actor=actor,
            context=context,
            # The asked agency's duty inbox is told, in the app and by email (its managers if it has none).
            announce=True,
        )
        created.append(request)
    audit(
        actor,
        context,
        AuditAction.UPDATE,
        "referral",
        referral.pk,
        referral.person_id,
        rag_rating=rag_rating,
        asked=[a.name for a in agencies],
    )
    return created


@transaction.atomic(durable=True)
def information_request_answer(
    *,
    actor: User,
    context: AuditContext,
    request: InformationRequest,
    answer: str,
    share_with: list[Agency],
) -> InformationRequest:
    if actor.agency_id != request.agency_id:
        raise PermissionRefused("Only the agency asked can answer this request.")
    locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if locked.answered_at is not None:
        raise ApplicationError("This request has already been answered.")
    if not answer.strip():
        raise ValidationError({"answer": "Enter your agency's answer"})
    locked.answer = answer
    locked.answered_at = timezone.now()
    locked.answered_by = actor
    locked.full_clean()
    locked.save()
    locked.answer_shared_with.set(
        [agency for agency in share_with if agency.local_authority_id == request.referral.local_authority_id]
    )
    clock = Deadline.objects.filter(subject_type="information_request", subject_id=request.pk).first()
    if clock is not None and clock.is_open:
        deadline_meet(deadline_id=clock.pk, actor=actor, met_at=locked.answered_at, context=context)
    audit(
        actor,
        context,
        AuditAction.UPDATE,
        "information_request",
        request.pk,
        request.referral.person_id,
        answered=True,
    )
    return locked
