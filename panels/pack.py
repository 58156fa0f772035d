"""The meeting pack: what each member reads before the meeting, as a page and as a PDF.

For each agenda item: who the child is (name, age, exploitation types, the reason for the referral, and
whether it is a repeat referral, with the earlier ones), the latest risk assessment, and the actions still
open. All of that is panel data, visible to every agency invited to the meeting. The case summary is added
only to the copy of a reader whose agency may see the case itself: each member's copy is their own.

The PDF is rendered by WeasyPrint from templates/panels/pack_pdf.html, whose styles are inline, with a URL
fetcher that refuses every URL, so making a pack never reaches the network (nor the file system)."""

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import Case, ExploitationType
from cases.networks.selectors import SnapshotRow, network_snapshots
from panels.models import ActionStatus, AgendaItem, Meeting, PanelAction, PanelReferral, RiskAssessment
from panels.selectors import meeting_view
from panels.services.assessment import age_on
from safeguarding.organisations.access import scope_to_user
from safeguarding.organisations.models import User
from safeguarding.organisations.permissions import Perm
from safeguarding.people.models import Person

# WeasyPrint logs each step of each page at INFO: some fifty lines a pack, noise in the service's logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass(frozen=True)
class PackItem:
    item: AgendaItem
    referral: PanelReferral
    # The child, or None when the item is a place or group (referral.context).
    person: Person | None
    # On the day of the meeting.
    age: int | None
    exploitation_types: list[str]
    # The referral's latest assessment: this meeting's, once the panel has made it, else the one before.
    assessment: RiskAssessment | None
    open_actions: list[PanelAction]
    # Earlier referrals of the same person, newest first (for a repeat referral).
    history: list[PanelReferral]
    # Whether the reader's agency may see the referral's case, and so its summary.
    case_visible: bool
    case_summary: str
    # The live links one hop out, as the reader may see them (a person they may not open is a placeholder).
    network: list[SnapshotRow]

    @property
    def has_case(self) -> bool:
        return self.referral.case_id is not None


@dataclass(frozen=True)
class Pack:
    meeting: Meeting
    reader: User
    items: list[PackItem]
    made_at: datetime

    @property
    def meeting_day(self) -> date:
        return timezone.localtime(self.meeting.scheduled_for).date()

    @property
    def person_ids(self) -> list[uuid.UUID]:
        shown = [entry.person.pk for entry in self.items if entry.person is not None]
        for entry in self.items:
            for row in entry.network:
                shown.extend(
                    p
                    for p in (row.link.person_a_id, row.link.person_b_id)
                    if p is not None and row.other_visible
                )
        return list(dict.fromkeys(shown))

    @property
    def case_summaries_shown(self) -> int:
        return sum(1 for entry in self.items if entry.case_visible)

    @property
    def total_minutes(self) -> int:
        return sum(entry.item.minutes_allotted for entry in self.items)


def _type_labels(values: list[str]) -> list[str]:
    labels = dict(ExploitationType.choices)
    return [str(labels.get(value, value)) for value in values]


def meeting_pack(*, meeting: Meeting, reader: User) -> Pack:
    """The pack of a meeting `reader` may see (panels.access.access_meeting authorised it). Queries, however
    many items: those of selectors.meeting_view (items with referral, person and assessment; attendance;
    actions; previous assessments; earlier referrals, only when an item is a repeat) and the summaries of
    the items' cases that the reader's agency may see (one, only when an item has a case)."""
    view = meeting_view(meeting=meeting)
    case_ids = [item.referral.case_id for item in view.items if item.referral.case_id is not None]
    summaries: dict[uuid.UUID, str] = {}
    if case_ids:
        summaries = dict(
            scope_to_user(reader, Perm.VIEW_CASE, Case.objects.filter(pk__in=case_ids)).values_list(
                "pk", "summary"
            )
        )
    snapshots = network_snapshots(
        user=reader,
        person_ids={item.referral.person_id for item in view.items if item.referral.person_id},
        context_ids={item.referral.context_id for item in view.items if item.referral.context_id},
    )
    meeting_day = timezone.localtime(meeting.scheduled_for).date()
    entries = []
    for item in view.items:
        referral = item.referral
        person = referral.person
        # select_related("assessment") has cached the item's own assessment, or that it has none.
        own: RiskAssessment | None = getattr(item, "assessment", None)
        actions = [*view.carried.get(item.pk, []), *view.agreed.get(item.pk, [])]
        entries.append(
            PackItem(
                item=item,
                referral=referral,
                person=person,
                age=(
                    age_on(person.date_of_birth, person.estimated_age_years, meeting_day)
                    if person is not None
                    else None
                ),
                exploitation_types=_type_labels(referral.exploitation_types),
                assessment=own or view.previous.get(item.pk),
                open_actions=sorted(
                    (a for a in actions if a.status == ActionStatus.OPEN),
                    key=lambda a: (a.due_date, a.created_at),
                ),
                history=view.history.get(referral.pk, []),
                case_visible=referral.case_id in summaries,
                case_summary=summaries.get(referral.case_id, "") if referral.case_id else "",
                network=snapshots.get(
                    f"p:{referral.person_id}" if referral.person_id else f"c:{referral.context_id}", []
                ),
            )
        )
    return Pack(meeting=meeting, reader=reader, items=entries, made_at=timezone.now())


def pack_context(pack: Pack) -> dict[str, Any]:
    return {"pack": pack, "meeting": pack.meeting}


def pack_filename(pack: Pack) -> str:
    day = timezone.localtime(pack.meeting.scheduled_for).date().isoformat()
    return f"meeting-pack-{day}.pdf"


def pack_pdf(pack: Pack) -> bytes:
    """The pack as a PDF. WeasyPrint is imported here, not at module level: it loads Pango through cffi,
    and only this needs it."""
    from weasyprint import HTML

    html = render_to_string("panels/pack_pdf.html", pack_context(pack))
    pdf = HTML(string=html, url_fetcher=refusing_url_fetcher()).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def refusing_url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that fetches nothing: the pack's styles are inline and it has no images, so
    any URL in it is a mistake, and it stops the rendering rather than reach out (fail_on_errors)."""
    from weasyprint.urls import URLFetcher

    class RefusingURLFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"The meeting pack fetches nothing; refused {url[:200]!r}")

    return RefusingURLFetcher(fail_on_errors=True)
