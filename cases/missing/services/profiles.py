"""The child's Philomena profile (Part 1), kept ahead of time for the police should the child go missing.
It belongs to the child: the carer and placement are recorded on it with their history, and a change of
carer keeps the profile. Its review clock (set date, six months by default) starts with the profile and is
met and started again at each review."""

import calendar
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audits.context import AuditContext
from audits.models import AuditAction
from cases.missing.clocks import profile_deadline_subject
from cases.missing.models import PhilomenaCarerChange, PhilomenaProfile
from cases.missing.services._common import audit, check_day, open_case_for_writing
from cases.models import Case
from cases.networks.access import links_visible_to
from cases.networks.models import Link, LinkStatus
from safeguarding.common.errors import ConcurrentEditError
from safeguarding.deadlines.calendars import end_of_working_day
from safeguarding.deadlines.models import OPEN_STATUSES, Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.services import deadline_cancel, deadline_meet, deadline_start, now_from_database
from safeguarding.organisations.models import User
from safeguarding.people.models import Person

PART1_TEXT_FIELDS = (
    "description",
    "photo_reference",
    "associates",
    "addresses_and_places",
    "phones_and_social_media",
    "medical_needs",
    "transport",
)
MAX_ASSOCIATE_LINKS = 50
# A review further off than this is a typing mistake, not a plan.
LONGEST_REVIEW_MONTHS = 24


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 August + 6 is 28 or 29
    February)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_next_review(today: date | None = None) -> date:
    return add_months(today or timezone.localdate(), PhilomenaProfile.DEFAULT_REVIEW_MONTHS)


@dataclass(frozen=True)
class ProfileDetails:
    next_review_on: date | None
    description: str = ""
    photo_reference: str = ""
    photo_taken_on: date | None = None
    associates: str = ""
    associate_link_ids: tuple[uuid.UUID, ...] = field(default_factory=tuple)
    addresses_and_places: str = ""
    phones_and_social_media: str = ""
    medical_needs: str = ""
    transport: str = ""
    current_carer: str = ""
    current_placement: str = ""
    # When the carer or placement changed (today if not given); read only when they did.
    carer_changed_on: date | None = None
    # This save is the profile's review: its clock is met and the next one started.
    reviewed: bool = False


def child_links(user: User, person: Person) -> list[Link]:
    """The child's live network links the user may see: what Part 1's associates may point at."""
    return list(
        links_visible_to(user)
        .filter(Q(person_a=person) | Q(person_b=person))
        .exclude(status=LinkStatus.LAPSED)
        .select_related("person_a", "person_b", "context_a", "context_b")
        .order_by("created_at")
    )


def _validate(actor: User, person: Person, data: ProfileDetails) -> list[Link]:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if data.next_review_on is None:
        errors["next_review_on"] = "Enter the date of the next review"
    elif data.next_review_on <= today:
        errors["next_review_on"] = "The date of the next review must be in the future"
    elif data.next_review_on > add_months(today, LONGEST_REVIEW_MONTHS):
        errors["next_review_on"] = f"The next review must be within {LONGEST_REVIEW_MONTHS // 12} years"
    check_day(
        errors, "photo_taken_on", data.photo_taken_on, what="The date the photo was taken", person=person
    )
    check_day(
        errors, "carer_changed_on", data.carer_changed_on, what="The date the carer changed", person=person
    )
    links: list[Link] = []
    wanted = set(data.associate_link_ids)
    if len(data.associate_link_ids) > MAX_ASSOCIATE_LINKS:
        errors["associate_links"] = f"Select no more than {MAX_ASSOCIATE_LINKS} links"
    elif wanted:
        links = [link for link in child_links(actor, person) if link.pk in wanted]
        if len(links) != len(wanted):
            errors["associate_links"] = "Select links from the child's network"
    if errors:
        raise ValidationError(errors)
    return links


def _start_review_clock(
    profile: PhilomenaProfile, person: Person, case: Case, actor: User, context: AuditContext
) -> Deadline:
    now = now_from_database()
    return deadline_start(
        policy=PolicyCode.PHILOMENA_REVIEW,
        subject=profile_deadline_subject(profile, person),
        started_at=now,
        due_at=end_of_working_day(profile.next_review_on),
        owning_agency=case.lead_agency,
        owner=case.allocated_worker,
        actor=actor,
        context=context,
        now=now,
    )


def _open_review_clock(profile: PhilomenaProfile) -> uuid.UUID | None:
    clock_id = profile.review_deadline_id
    if clock_id is not None and Deadline.objects.filter(pk=clock_id, status__in=OPEN_STATUSES).exists():
        return clock_id
    return None


@transaction.atomic(durable=True)
def philomena_profile_save(
    *,
    actor: User,
    context: AuditContext,
    person: Person,
    expected_version: int | None,
    data: ProfileDetails,
) -> PhilomenaProfile:
    """Create the child's Part 1 (expected_version None) or change it (the version read). A change of carer or
    placement adds to its carer history. A review (`reviewed`) meets the review clock and starts the next;
    moving the review date without a review starts the clock again with the reason."""
    case = open_case_for_writing(actor, person)
    profile = PhilomenaProfile.objects.select_for_update().filter(person=person).first()
    if (profile is None) != (expected_version is None) or (
        profile is not None and profile.version != expected_version
    ):
        raise ConcurrentEditError(
            "This Philomena profile was changed by someone else after you opened it. Your changes have not "
            "been saved. Open it again to see the latest version.",
            extra={"current_version": profile.version if profile else None},
        )
    links = _validate(actor, person, data)
    assert data.next_review_on is not None
    created = profile is None
    if profile is None:
        profile = PhilomenaProfile(person=person, local_authority_id=person.local_authority_id)
    previous_review_on = profile.next_review_on
    carer_before = (profile.current_carer, profile.current_placement)
    for name in PART1_TEXT_FIELDS:
        setattr(profile, name, getattr(data, name).strip())
    profile.photo_taken_on = data.photo_taken_on
    profile.current_carer = data.current_carer.strip()
    profile.current_placement = data.current_placement.strip()
    profile.next_review_on = data.next_review_on
    profile.updated_by = actor
    if not created:
        profile.version += 1
    if data.reviewed or created:
        profile.last_reviewed_at = timezone.now()
    profile.full_clean(
        exclude=["person", "local_authority", "updated_by", "review_deadline", "associate_links"]
    )
    profile.save()
    profile.associate_links.set(links)
    carer_now = (profile.current_carer, profile.current_placement)
    if carer_now != carer_before and any(carer_now):
        PhilomenaCarerChange.objects.create(
            profile=profile,
            carer=profile.current_carer,
            placement=profile.current_placement,
            changed_on=data.carer_changed_on or timezone.localdate(),
            recorded_by=actor,
        )
    restart = created or data.reviewed or previous_review_on != profile.next_review_on
    if restart:
        open_clock = None if created else _open_review_clock(profile)
        if open_clock is not None and data.reviewed:
            deadline_meet(deadline_id=open_clock, actor=actor, note="Profile reviewed", context=context)
        elif open_clock is not None:
            deadline_cancel(
                deadline_id=open_clock,
                actor=actor,
                reason=f"Review date moved to {profile.next_review_on:%d %B %Y}",
                context=context,
            )
        profile.review_deadline = _start_review_clock(profile, person, case, actor, context)
        profile.save(update_fields=["review_deadline", "updated_at"])
    audit(
        actor,
        context,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        "philomena_profile",
        profile.pk,
        person.pk,
        reviewed=data.reviewed,
        next_review_on=profile.next_review_on.isoformat(),
        carer_changed=carer_now != carer_before,
    )
    return profile
