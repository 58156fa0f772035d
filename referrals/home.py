"""The front door's part of the home pages, each a work queue soonest due first with the clock's time left:
a MASH practitioner's Golden Hours running, referrals awaiting a decision, the information requests it is
waiting on (by RAG) and today's DRM; an agency's requests waiting for its answer (answered ones in their own
tab); the urgent response team's queue. And the front door's menu items. Registered from
ReferralsConfig.ready(); see safeguarding/accounts/home.py."""

from collections.abc import Mapping

from django.db.models import Count, QuerySet
from django.utils import timezone

from referrals.access import can_record_referrals, can_see_urgent_queue, is_health_practitioner
from referrals.models import DrmOutcome, InformationRequest
from referrals.selectors import REQUEST_SUBJECT
from referrals.services._common import INFORMATION_REQUEST_POLICY
from safeguarding.accounts.home import HomePage, HomeSection, MenuItem
from safeguarding.deadlines.models import OPEN_STATUSES, Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.queues import clock_queue
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.models import User
from safeguarding.organisations.roles import Role

REQUEST_POLICIES = list(INFORMATION_REQUEST_POLICY.values())
RAG_OF_POLICY = {policy: rating for rating, policy in INFORMATION_REQUEST_POLICY.items()}


def _agency_clocks(user: User, *policies: PolicyCode) -> QuerySet[Deadline]:
    assert user.agency is not None
    return Deadline.objects.filter(
        local_authority_id=user.agency.local_authority_id,
        owning_agency_id=user.agency_id,
        policy__in=policies,
    )


def _is_mash_practitioner(user: User) -> bool:
    return reads_case_data(user) and user.has_role(Role.MASH_PRACTITIONER)


def _front_door(page: HomePage) -> Mapping[str, object] | None:
    """Golden Hours running and referrals awaiting a decision: the MASH's own clocks (2 queries)."""
    user = page.actor
    if not _is_mash_practitioner(user):
        return None
    golden = clock_queue(_agency_clocks(user, PolicyCode.GOLDEN_HOUR), user=user, now=page.now)
    decisions = clock_queue(_agency_clocks(user, PolicyCode.MASH_DECISION), user=user, now=page.now)
    return {"golden": golden, "decisions": decisions, "person_ids": golden.person_ids + decisions.person_ids}


def _requests_sent(page: HomePage) -> Mapping[str, object] | None:
    """The requests this MASH is waiting on, soonest due first, and how many of each RAG rating (2 queries)."""
    user = page.actor
    if not _is_mash_practitioner(user):
        return None
    assert user.agency is not None
    waiting = InformationRequest.objects.filter(referral__mash_agency=user.agency, answered_at__isnull=True)
    clocks = Deadline.objects.filter(
        local_authority_id=user.agency.local_authority_id,
        subject_type=REQUEST_SUBJECT,
        policy__in=REQUEST_POLICIES,
        subject_id__in=waiting.values("pk"),
    )
    queue = clock_queue(clocks, user=user, now=page.now)
    counts = dict(
        clocks.filter(status__in=OPEN_STATUSES).values_list("policy").annotate(n=Count("pk")).order_by()
    )
    by_rag = [(RAG_OF_POLICY[policy], counts.get(policy, 0)) for policy in REQUEST_POLICIES]
    return {"queue": queue, "by_rag": by_rag, "person_ids": queue.person_ids}


def _drm_today(page: HomePage) -> Mapping[str, object] | None:
    user = page.actor
    if not _is_mash_practitioner(user):
        return None
    assert user.agency is not None
    today = timezone.localdate()
    outcomes = DrmOutcome.objects.filter(
        meeting__local_authority_id=user.agency.local_authority_id, meeting__meeting_date=today
    ).count()
    return {"today": today, "outcomes": outcomes}


def _requests_waiting(page: HomePage) -> Mapping[str, object] | None:
    """An agency's requests waiting for its answer (a queue of their clocks) and those it answered lately, in
    their own tab (2 queries)."""
    user = page.actor
    if not reads_case_data(user) or not user.has_any_role(Role.AGENCY_PRACTITIONER, Role.AGENCY_MANAGER):
        return None
    assert user.agency is not None
    queue = clock_queue(_agency_clocks(user, *REQUEST_POLICIES), user=user, now=page.now)
    answered = list(
        InformationRequest.objects.filter(agency=user.agency, answered_at__isnull=False)
        .select_related("referral__person", "answered_by")
        .order_by("-answered_at")[:10]
    )
    return {
        "queue": queue,
        "answered": answered,
        "person_ids": queue.person_ids + [r.referral.person_id for r in answered],
    }


def _urgent(page: HomePage) -> Mapping[str, object] | None:
    user = page.actor
    if not reads_case_data(user) or not user.has_role(Role.URGENT_RESPONSE_WORKER):
        return None
    queue = clock_queue(_agency_clocks(user, PolicyCode.URGENT_RESPONSE), user=user, now=page.now)
    return {"queue": queue, "person_ids": queue.person_ids}


HOME_SECTIONS = (
    HomeSection("front_door", "home/front_door.html", _front_door, order=10),
    HomeSection("requests_sent", "home/requests_sent.html", _requests_sent, order=12),
    HomeSection("drm_today", "home/drm_today.html", _drm_today, order=14),
    HomeSection("requests_waiting", "home/requests_waiting.html", _requests_waiting, order=10),
    HomeSection("urgent", "home/urgent.html", _urgent, order=10),
)

MENU_ITEMS = (
    MenuItem(
        "referrals",
        "Referrals",
        "referrals:list",
        reads_case_data,
        order=30,
        current=("referrals:list", "referrals:detail", "referrals:create", "referrals:custody-create"),
    ),
    MenuItem(
        "requests",
        "Information requests",
        "referrals:requests",
        reads_case_data,
        order=40,
        current=("referrals:requests", "referrals:request"),
    ),
    MenuItem(
        "emergency",
        "Emergency attendance",
        "referrals:emergency-attendance",
        lambda user: reads_case_data(user) and is_health_practitioner(user),
        order=41,
        current=("referrals:emergency-attendance",),
    ),
    MenuItem(
        "drm",
        "Daily risk meeting",
        "referrals:drm",
        lambda user: reads_case_data(user) and can_record_referrals(user),
        order=42,
        current=("referrals:drm",),
    ),
    MenuItem(
        "urgent",
        "Urgent response",
        "referrals:urgent",
        lambda user: reads_case_data(user) and can_see_urgent_queue(user),
        order=44,
        current=("referrals:urgent",),
    ),
)
