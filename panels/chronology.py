"""The panels' events in the child's chronology (registered from PanelsConfig.ready(); see
cases/chronology/registry.py): the child referred to a panel and the referral closed, each meeting that
discussed them, and the actions agreed and closed.

Each is scoped by the panel's own access rules (panels/access.py), the same that let the reader open the
page it links to: a referral through referrals_visible_to (access_panel_referral), an agenda item through
meetings_visible_to (access_item), an action through actions_visible_to (access_action). A meeting still to
come is not yet in the chronology: it has not happened. None runs a query: each is one part of the
chronology's UNION."""

import uuid

from django.db.models import Case as CaseWhen
from django.db.models import Expression, QuerySet, TextField, Value, When
from django.db.models.functions import Concat, Lower
from django.utils import timezone

from cases.chronology.registry import ChronologySource, choice_label, chronology_values
from panels.access import actions_visible_to, meetings_visible_to, referrals_visible_to
from panels.models import ActionStatus, AgendaItem, ItemKind, PanelReferralStatus
from safeguarding.organisations.models import User


def _text(*parts: str | Expression) -> Concat:
    """Text joined in SQL: a string is a field path, a literal is Value("…")."""
    return Concat(*parts, output_field=TextField())


def panel_events(user: User, person_id: uuid.UUID) -> tuple[QuerySet, ...]:
    referrals = referrals_visible_to(user).filter(person_id=person_id)
    referred = chronology_values(
        referrals,
        kind="panel",
        at="created_at",
        title=_text(Value("Referred to the "), "panel__name"),
        detail="reason",
        agency="referring_agency__name",
        url_name="panels:referral",
    )
    closed = chronology_values(
        referrals.filter(status__in=(PanelReferralStatus.CLOSED, PanelReferralStatus.WITHDRAWN)),
        kind="panel",
        at="closed_at",
        title=_text(
            Value("Panel referral "),
            Lower(choice_label("status", PanelReferralStatus.choices)),
            Value(": "),
            "panel__name",
        ),
        detail="outcome",
        agency="referring_agency__name",
        url_name="panels:referral",
    )
    discussed = chronology_values(
        AgendaItem.objects.filter(
            referral__person_id=person_id,
            meeting__in=meetings_visible_to(user),
            meeting__scheduled_for__lte=timezone.now(),
        ),
        kind="panel",
        at="meeting__scheduled_for",
        title=_text(Value("Discussed at the "), "meeting__panel__name"),
        detail=CaseWhen(
            When(decision="", then=choice_label("kind", ItemKind.choices)),
            default=_text(choice_label("kind", ItemKind.choices), Value(". Decision: "), "decision"),
            output_field=TextField(),
        ),
        agency="meeting__panel__coordinator__agency__name",
        url_name="panels:item",
    )
    actions = actions_visible_to(user).filter(referral__person_id=person_id)
    agreed = chronology_values(
        actions,
        kind="panel",
        at="created_at",
        title=Value("Panel action agreed"),
        detail="description",
        agency="owner_agency__name",
        url_name="panels:action",
    )
    action_closed = chronology_values(
        actions.exclude(status=ActionStatus.OPEN),
        kind="panel",
        at="closed_at",
        title=_text(Value("Panel action "), Lower(choice_label("status", ActionStatus.choices))),
        detail="description",
        agency="owner_agency__name",
        url_name="panels:action",
    )
    return (referred, closed, discussed, agreed, action_closed)


CHRONOLOGY_SOURCES = (
    ChronologySource(kind="panel", label="Panels: referrals, meetings and actions", events=panel_events),
)
