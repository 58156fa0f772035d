"""The person page's front-door section, for one view of a child: their referrals (the last contacts first,
each with its state, and whether it was linked to another), and every open clock about anything to do with
them that the reader may see: referrals, custody, information requests, the urgent response, the case, the
panels and networks. Registered from ReferralsConfig.ready(); see safeguarding/people/sections.py."""

from django.db.models import Q
from django.utils import timezone

from cases.models import Case
from referrals.models import InformationRequest, Referral
from referrals.selectors import referrals_visible_to
from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.queues import clock_queue
from safeguarding.organisations.access import scope_to_user
from safeguarding.organisations.permissions import Perm
from safeguarding.people.sections import PersonPage, PersonSection


def _person_front_door(page: PersonPage) -> dict[str, object]:
    """Two queries: the referrals, and the open clocks (owned by the reader's agency, or on a case or
    referral of the child that the reader may see)."""
    user, person = page.actor, page.person
    visible_referrals = referrals_visible_to(user).filter(person=person)
    referrals: list[Referral] = list(
        visible_referrals.select_related("mash_agency", "custody_booking").order_by("-received_at")[:10]
    )
    visible_cases = scope_to_user(user, Perm.VIEW_CASE, Case.objects.filter(person=person)).values("pk")
    clocks = Deadline.objects.filter(person_id=person.pk).filter(
        Q(owning_agency_id=user.agency_id)
        | Q(case_id__in=visible_cases)
        | Q(subject_type="referral", subject_id__in=visible_referrals.values("pk"))
        | Q(
            subject_type="information_request",
            subject_id__in=InformationRequest.objects.filter(referral__in=visible_referrals).values("pk"),
        )
    )
    return {"referrals": referrals, "clocks": clock_queue(clocks, user=user, now=timezone.now(), length=15)}


PERSON_FRONT_DOOR_SECTION = PersonSection(
    key="front_door", template_name="referrals/person_front_door_section.html", context=_person_front_door
)
