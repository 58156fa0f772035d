"""Information gathering in the MASH (finding 7): the referral is RAG rated and each agency asked for its
checks, each request with a clock by rating; the asked agency answers and chooses whom the answer is shared
with."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from cases.networks.models import HandlingCode
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


@dataclass(frozen=True)
class AnswerGrading:
    """Police intelligence's 3x5x2 grading and handling code, as an answer carries it (blank: not graded)."""

    source_grade: str = ""
    information_grade: str = ""
    handling_code: str = ""
    handling_agency_types: tuple[str, ...] = ()
    handling_conditions: str = ""


@transaction.atomic(durable=True)
def information_request_answer(
    *,
    actor: User,
    context: AuditContext,
    request: InformationRequest,
    answer: str,
    share_with: list[Agency],
    source: str = "",
    grading: AnswerGrading = AnswerGrading(),
) -> InformationRequest:
    """The asked agency's answer, with where it comes from and, for police intelligence, its 3x5x2 grading
    and handling code. A C code keeps the answer from every agency type its conditions do not name: sharing
    with one of those is refused, not quietly dropped."""
    if actor.agency_id != request.agency_id:
        raise PermissionRefused("Only the agency asked can answer this request.")
    locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if locked.answered_at is not None:
        raise ApplicationError("This request has already been answered.")
    errors: dict[str, str] = {}
    if not answer.strip():
        errors["answer"] = "Enter your agency's answer"
    if not source.strip():
        errors["answer_source"] = "Enter where your answer comes from"
    if grading.handling_code == HandlingCode.CONDITIONS:
        if not grading.handling_agency_types:
            errors["handling_agency_types"] = "Select the agencies a C-coded answer may be shared with"
        elif excluded := [a.name for a in share_with if a.agency_type not in grading.handling_agency_types]:
            errors["share_with"] = (
                f"The handling code's conditions do not allow sharing with {', '.join(excluded)}"
            )
    if errors:
        raise ValidationError(errors)
    locked.answer = answer
    locked.answer_source = source.strip()[:300]
    locked.source_grade = grading.source_grade
    locked.information_grade = grading.information_grade
    locked.handling_code = grading.handling_code
    locked.handling_agency_types = (
        list(grading.handling_agency_types) if grading.handling_code == HandlingCode.CONDITIONS else []
    )
    locked.handling_conditions = grading.handling_conditions.strip()[:300]
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
        handling=locked.handling_code,
    )
    return locked
