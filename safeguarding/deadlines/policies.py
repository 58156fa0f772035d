"""Every clock the partnership runs, in one place (DOMAIN.md, "Clocks the system must enforce")."""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models

from safeguarding.deadlines import calendars
from safeguarding.organisations.roles import PRACTITIONER_ROLES, Role


class Calendar(enum.Enum):
    ELAPSED = "elapsed"  # real hours, day and night
    WORKING_DAYS = "working_days"  # Mon-Fri in Europe/London, not bank holidays
    WORKING_HOURS = "working_hours"  # 09:00-17:00 on working days
    SET_DATE = "set_date"  # due time given when the clock starts (e.g. a panel action)


class PolicyCode(models.TextChoices):
    GOLDEN_HOUR = "golden_hour", "Golden Hour (custody)"
    URGENT_RESPONSE = "urgent_response", "Urgent response (48 hours)"
    RETURN_HOME_INTERVIEW = "return_home_interview", "Return home interview"
    MASH_DECISION = "mash_decision", "MASH decision"
    INFORMATION_REQUEST_RED = "information_request_red", "Agency information request (red)"
    INFORMATION_REQUEST_AMBER = "information_request_amber", "Agency information request (amber)"
    INFORMATION_REQUEST_GREEN = "information_request_green", "Agency information request (green)"
    PANEL_ACTION = "panel_action", "Exploitation and Risk Panel action"
    PANEL_LISTING = "panel_listing", "Panel referral to be listed"
    PANEL_PLAN = "panel_plan", "Panel plan to be sent"
    PANEL_ABSENCE_FOLLOW_UP = "panel_absence_follow_up", "Follow up a core agency's repeated absence"
    NETWORK_LINK_REVIEW = "network_link_review", "Unconfirmed network link to review"
    NETWORK_ALERT = "network_alert", "Cross-case link to follow up"
    CONTEXT_ACTION = "context_action", "Action of a place's or group's plan"
    NRM_REASONABLE_GROUNDS = "nrm_reasonable_grounds", "NRM reasonable grounds decision"
    PHILOMENA_REVIEW = "philomena_review", "Philomena profile review"
    SCHOOL_PLACE_APPLICATION = "school_place_application", "School place application"
    EDUCATION_ROLL_LEFT = "education_roll_left", "Child at risk off a school roll: follow up"
    EDUCATION_ROLL_LEFT_LEAD = "education_roll_left_lead", "Child at risk off a school roll: education lead"


@dataclass(frozen=True)
class Policy:
    code: PolicyCode
    calendar: Calendar
    # Elapsed duration, number of working days, or number of working hours, by calendar.
    amount: timedelta | int | float | None
    # Warn this long before due (elapsed time), so the owner can still act.
    warn_before: timedelta
    # After the breach has gone to the owner and their manager, escalate to the service manager this much later.
    second_escalation_after: timedelta
    met_when: str
    # Tracked, not owned: another body (the Home Office for NRM) meets it; we only watch.
    tracked_only: bool = False
    # Whether the agency that owns the clock may pause, extend or cancel it. Not for a clock that chases an
    # agency for something (an information request): only the chaser (the MASH) stops that one.
    owner_may_stop: bool = True
    # Met (or closed) only by recording what it waits for in its own module, never from the clock panel: a
    # return home interview's outcome. A tracked clock is always so.
    met_by_its_record: bool = False
    # Who is told of new work the owning agency has no named owner for (its duty inbox).
    duty_roles: frozenset[Role] = PRACTITIONER_ROLES

    @property
    def label(self) -> str:
        return str(self.code.label)

    def due_at(self, started_at: datetime, set_due_at: datetime | None = None) -> datetime:
        if self.calendar is Calendar.SET_DATE:
            if set_due_at is None:
                raise ValueError(f"{self.label} needs the due time set when the clock starts")
            return set_due_at
        if set_due_at is not None:
            raise ValueError(f"{self.label} computes its own due time")
        if self.calendar is Calendar.ELAPSED:
            assert isinstance(self.amount, timedelta)
            return calendars.add_elapsed(started_at, self.amount)
        if self.calendar is Calendar.WORKING_DAYS:
            assert isinstance(self.amount, int)
            return calendars.add_working_days(started_at, self.amount)
        assert isinstance(self.amount, int | float)
        return calendars.add_working_hours(started_at, float(self.amount))

    def warn_at(self, started_at: datetime, due_at: datetime) -> datetime:
        # Never warn before the clock started: a short clock warns halfway instead.
        return max(due_at - self.warn_before, started_at + (due_at - started_at) / 2)


POLICIES: dict[PolicyCode, Policy] = {
    policy.code: policy
    for policy in [
        Policy(
            PolicyCode.GOLDEN_HOUR,
            Calendar.ELAPSED,
            timedelta(hours=1),
            warn_before=timedelta(minutes=15),
            second_escalation_after=timedelta(minutes=30),
            met_when="The MASH has shared safeguarding information with custody",
        ),
        Policy(
            PolicyCode.URGENT_RESPONSE,
            Calendar.ELAPSED,
            timedelta(hours=48),
            warn_before=timedelta(hours=8),
            second_escalation_after=timedelta(hours=4),
            met_when="The urgent response worker has had direct contact with the child",
            # The urgent response team's until one of its workers takes it.
            duty_roles=frozenset({Role.URGENT_RESPONSE_WORKER}),
        ),
        Policy(
            PolicyCode.RETURN_HOME_INTERVIEW,
            Calendar.ELAPSED,
            timedelta(hours=72),
            warn_before=timedelta(hours=12),
            second_escalation_after=timedelta(hours=24),
            met_when="An independent return home interview was held, or a refusal recorded with a reason",
            met_by_its_record=True,
        ),
        Policy(
            PolicyCode.MASH_DECISION,
            Calendar.WORKING_DAYS,
            1,
            warn_before=timedelta(hours=2),
            second_escalation_after=timedelta(hours=4),
            met_when="The MASH decision is recorded",
        ),
        Policy(
            PolicyCode.INFORMATION_REQUEST_RED,
            Calendar.WORKING_HOURS,
            4,
            warn_before=timedelta(hours=1),
            second_escalation_after=timedelta(hours=2),
            met_when="The agency has answered",
            owner_may_stop=False,
        ),
        Policy(
            PolicyCode.INFORMATION_REQUEST_AMBER,
            Calendar.WORKING_HOURS,
            8,
            warn_before=timedelta(hours=2),
            second_escalation_after=timedelta(hours=4),
            met_when="The agency has answered",
            owner_may_stop=False,
        ),
        Policy(
            PolicyCode.INFORMATION_REQUEST_GREEN,
            Calendar.WORKING_DAYS,
            3,
            warn_before=timedelta(hours=4),
            second_escalation_after=timedelta(hours=24),
            met_when="The agency has answered",
            owner_may_stop=False,
        ),
        Policy(
            PolicyCode.PANEL_ACTION,
            Calendar.SET_DATE,
            None,
            warn_before=timedelta(days=2),
            second_escalation_after=timedelta(days=2),
            met_when="The action owner has marked it done",
        ),
        Policy(
            PolicyCode.PANEL_LISTING,
            Calendar.WORKING_DAYS,
            10,
            warn_before=timedelta(days=2),
            second_escalation_after=timedelta(days=2),
            met_when="The referral is on a meeting's agenda",
        ),
        Policy(
            PolicyCode.PANEL_PLAN,
            Calendar.WORKING_DAYS,
            2,
            warn_before=timedelta(hours=8),
            second_escalation_after=timedelta(days=1),
            met_when="The plan (aims, actions, review date) has been sent to the members",
        ),
        Policy(
            PolicyCode.PANEL_ABSENCE_FOLLOW_UP,
            Calendar.WORKING_DAYS,
            5,
            warn_before=timedelta(days=1),
            second_escalation_after=timedelta(days=2),
            met_when="The panel's manager has followed up the absence with the agency",
        ),
        Policy(
            PolicyCode.NETWORK_LINK_REVIEW,
            Calendar.ELAPSED,
            timedelta(days=90),
            warn_before=timedelta(days=7),
            second_escalation_after=timedelta(days=7),
            met_when="The link is confirmed, or corrected; unconfirmed when due, it lapses",
        ),
        Policy(
            PolicyCode.NETWORK_ALERT,
            Calendar.WORKING_DAYS,
            2,
            warn_before=timedelta(hours=8),
            second_escalation_after=timedelta(days=1),
            met_when="The case owner has contacted the other case's agency, or recorded why not",
        ),
        Policy(
            PolicyCode.CONTEXT_ACTION,
            Calendar.SET_DATE,
            None,
            warn_before=timedelta(days=2),
            second_escalation_after=timedelta(days=2),
            met_when="The action owner has marked it done",
        ),
        Policy(
            PolicyCode.NRM_REASONABLE_GROUNDS,
            Calendar.WORKING_DAYS,
            5,
            warn_before=timedelta(days=1),
            second_escalation_after=timedelta(days=2),
            met_when="The reasonable grounds decision is recorded",
            tracked_only=True,
        ),
        Policy(
            PolicyCode.PHILOMENA_REVIEW,
            Calendar.SET_DATE,
            None,
            warn_before=timedelta(days=7),
            second_escalation_after=timedelta(days=7),
            met_when="The Philomena profile has been reviewed (its next review is then set)",
        ),
        Policy(
            PolicyCode.SCHOOL_PLACE_APPLICATION,
            Calendar.SET_DATE,
            None,
            warn_before=timedelta(days=3),
            second_escalation_after=timedelta(days=2),
            met_when="A school place is offered, or the application is decided",
        ),
        Policy(
            PolicyCode.EDUCATION_ROLL_LEFT,
            Calendar.WORKING_DAYS,
            1,
            warn_before=timedelta(hours=4),
            second_escalation_after=timedelta(days=1),
            met_when="The case owner has followed up where the child now learns",
        ),
        Policy(
            PolicyCode.EDUCATION_ROLL_LEFT_LEAD,
            Calendar.WORKING_DAYS,
            1,
            warn_before=timedelta(hours=4),
            second_escalation_after=timedelta(days=1),
            met_when="The education lead has followed up where the child now learns",
            # The education lead is the education agency's manager: told, not its practitioners.
            duty_roles=frozenset({Role.AGENCY_MANAGER}),
        ),
    ]
}


def policy_for(code: str) -> Policy:
    return POLICIES[PolicyCode(code)]
