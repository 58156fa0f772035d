"""Who may see and run panels. Like every access_* function, each fetches and authorises in one step and
answers NotFound both for "does not exist" and for "not yours".

- A panel's chairs and its coordinator run it: they see all of its referrals, meetings and actions.
- A member agency's people see the meetings their agency was invited to, and only those meetings' items,
  from the day the meeting is scheduled until MEMBER_ACCESS_AFTER_MEETING after it (the longest interval
  before a review): they need the items to prepare, attend and carry out actions, not for ever.
- An action's owning agency sees that action, and marks it done.
- Anyone who may refer (a case worker of the authority) sees the panels of their authority to refer to."""

import uuid
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from panels.models import AbsenceAlert, AgendaItem, Meeting, Panel, PanelAction, PanelReferral
from safeguarding.common.errors import NotFound, PermissionRefused
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.models import User
from safeguarding.organisations.roles import CASE_WORKER_ROLES

MEMBER_ACCESS_AFTER_MEETING = timedelta(weeks=12)


def _reader(user: User | AnonymousUser) -> User | None:
    if not reads_case_data(user):
        return None
    assert isinstance(user, User)
    return user


def _runs(user: User) -> Q:
    """Panels `user` chairs or coordinates (a filter on Panel)."""
    return Q(chairs=user) | Q(coordinator=user)


def panels_run_by(user: User | AnonymousUser) -> QuerySet[Panel]:
    reader = _reader(user)
    if reader is None:
        return Panel.objects.none()
    assert reader.agency is not None
    return Panel.objects.filter(_runs(reader), local_authority_id=reader.agency.local_authority_id).distinct()


def panels_to_refer_to(user: User | AnonymousUser) -> QuerySet[Panel]:
    reader = _reader(user)
    if reader is None or not reader.has_any_role(*CASE_WORKER_ROLES):
        return Panel.objects.none()
    assert reader.agency is not None
    return Panel.objects.filter(local_authority_id=reader.agency.local_authority_id)


def can_refer(user: User | AnonymousUser) -> bool:
    reader = _reader(user)
    return reader is not None and reader.has_any_role(*CASE_WORKER_ROLES)


def meetings_visible_to(user: User | AnonymousUser) -> QuerySet[Meeting]:
    reader = _reader(user)
    if reader is None:
        return Meeting.objects.none()
    assert reader.agency is not None
    invited = Q(
        invited_agencies=reader.agency,
        scheduled_for__gte=timezone.now() - MEMBER_ACCESS_AFTER_MEETING,
    )
    runs = Q(panel__in=panels_run_by(reader))
    return Meeting.objects.filter(
        invited | runs, local_authority_id=reader.agency.local_authority_id
    ).distinct()


def access_panel(user: User | AnonymousUser, panel_id: uuid.UUID | str, *, run: bool = False) -> Panel:
    """A panel its reader chairs or coordinates (run=True), or may refer to."""
    runs = Panel.objects.filter(pk__in=panels_run_by(user).values("pk"))
    queryset = runs if run else runs | panels_to_refer_to(user)
    try:
        return queryset.select_related("coordinator", "manager").get(pk=panel_id)
    except (Panel.DoesNotExist, ValueError) as error:
        raise NotFound() from error


def can_open_panel(user: User, panel: Panel) -> bool:
    """Whether access_panel lets `user` open the panel's own page (those who run it, or may refer to it), so
    a page links there only for them."""
    return can_refer(user) or is_running(user, panel)


def is_running(user: User, panel: Panel) -> bool:
    return panel.coordinator_id == user.pk or panel.chairs.filter(pk=user.pk).exists()


def access_meeting(user: User | AnonymousUser, meeting_id: uuid.UUID | str, *, run: bool = False) -> Meeting:
    """A meeting its reader was invited to, or runs. run=True: to change it, which only its chairs and
    coordinator may; an invited member, who can see the meeting, is refused rather than told it is missing."""
    try:
        meeting = meetings_visible_to(user).select_related("panel").get(pk=meeting_id)
    except (Meeting.DoesNotExist, ValueError) as error:
        raise NotFound() from error
    if run:
        assert isinstance(user, User)
        if not is_running(user, meeting.panel):
            raise PermissionRefused("Only the panel's chairs and coordinator can change this meeting.")
    return meeting


def access_item(user: User | AnonymousUser, item_id: uuid.UUID | str, *, run: bool = False) -> AgendaItem:
    try:
        item = (
            AgendaItem.objects.select_related("meeting__panel", "referral__person", "referral__context")
            .filter(meeting__in=meetings_visible_to(user))
            .get(pk=item_id)
        )
    except (AgendaItem.DoesNotExist, ValueError) as error:
        raise NotFound() from error
    if run:
        assert isinstance(user, User)
        if not is_running(user, item.meeting.panel):
            raise PermissionRefused("Only the panel's chairs and coordinator can change this item.")
    return item


def actions_visible_to(user: User | AnonymousUser) -> QuerySet[PanelAction]:
    reader = _reader(user)
    if reader is None:
        return PanelAction.objects.none()
    assert reader.agency is not None
    return PanelAction.objects.filter(
        Q(owner_agency=reader.agency)
        | Q(agreed_at__meeting__in=meetings_visible_to(reader))
        | Q(referral__panel__in=panels_run_by(reader)),
        local_authority_id=reader.agency.local_authority_id,
    )


def access_action(user: User | AnonymousUser, action_id: uuid.UUID | str) -> PanelAction:
    try:
        return (
            actions_visible_to(user)
            .select_related(
                "referral__panel", "referral__person", "referral__context", "owner_agency", "owner"
            )
            .get(pk=action_id)
        )
    except (PanelAction.DoesNotExist, ValueError) as error:
        raise NotFound() from error


def referrals_visible_to(user: User | AnonymousUser) -> QuerySet[PanelReferral]:
    """Referrals of panels the reader runs, and those their own agency made."""
    reader = _reader(user)
    if reader is None:
        return PanelReferral.objects.none()
    assert reader.agency is not None
    return PanelReferral.objects.filter(
        Q(panel__in=panels_run_by(reader)) | Q(referring_agency=reader.agency),
        local_authority_id=reader.agency.local_authority_id,
    )


def access_panel_referral(user: User | AnonymousUser, referral_id: uuid.UUID | str) -> PanelReferral:
    try:
        return referrals_visible_to(user).select_related("panel", "person", "context").get(pk=referral_id)
    except (PanelReferral.DoesNotExist, ValueError) as error:
        raise NotFound() from error


# Who oversees a panel: those who run it and its manager, who is alerted when a core agency keeps missing its
# meetings. They see its attendance figures and its absence alerts.
def panels_overseen_by(user: User | AnonymousUser) -> QuerySet[Panel]:
    if not reads_case_data(user):
        return Panel.objects.none()
    assert isinstance(user, User) and user.agency is not None
    return Panel.objects.filter(
        Q(pk__in=panels_run_by(user).values("pk")) | Q(manager=user),
        local_authority_id=user.agency.local_authority_id,
    )


def access_panel_oversight(user: User | AnonymousUser, panel_id: uuid.UUID | str) -> Panel:
    try:
        return panels_overseen_by(user).select_related("coordinator", "manager").get(pk=panel_id)
    except (Panel.DoesNotExist, ValueError) as error:
        raise NotFound() from error


def access_absence_alert(user: User | AnonymousUser, alert_id: uuid.UUID | str) -> AbsenceAlert:
    try:
        return (
            AbsenceAlert.objects.filter(panel__in=panels_overseen_by(user))
            .select_related("panel", "agency", "meeting", "previous_meeting")
            .get(pk=alert_id)
        )
    except (AbsenceAlert.DoesNotExist, ValueError) as error:
        raise NotFound() from error
