"""The meeting pack: each item's child, latest assessment and open actions, the placeholders for what is not
built yet, each member's own copy (the case summary only where their agency may see the case), one audit row
per read, the same queries for 2 items as for 20, and a PDF that fetches nothing."""

from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.models import Case
from panels.models import Meeting
from panels.pack import meeting_pack, pack_context, pack_pdf, refusing_url_fetcher
from panels.services import (
    agenda_build,
    agenda_item_add,
    meeting_publish_pack,
    panel_action_agree,
    panel_action_close,
    panel_referral_close,
    risk_assessment_save,
)
from safeguarding.organisations.models import AgencyType, User
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import SENTINEL_FAMILY_NAME, World, count_queries, verified_client
from tests.panels.conftest import Erp, child, refer, schedule
from tests.test_query_counts import SESSION_PAGE, SESSION_SAVE

pytestmark = pytest.mark.django_db

SUMMARY = "Sentinel summary: seen with older males at the station on three nights."
PLACEHOLDER = "will appear here when the chronology lands"


def _assess(erp: Erp, item, danger: str = "Could be stabbed collecting a debt.") -> None:  # type: ignore[no-untyped-def]
    risk_assessment_save(
        actor=erp.sam,
        context=SYSTEM_CONTEXT,
        item=item,
        answers={"missing": "last_6_months", "weapons": "last_6_months"},
        text={"danger_statement": danger, "safety_goal": "Home by 9pm, known to a youth worker."},
    )


def _act(world: World, erp: Erp, item, description: str):  # type: ignore[no-untyped-def]
    return panel_action_agree(
        actor=erp.sam,
        context=SYSTEM_CONTEXT,
        item=item,
        description=description,
        owner_agency=world.housing,
        owner=None,
        due_date=timezone.localtime(item.meeting.scheduled_for).date() + timedelta(days=7),
    )


def _meeting(world: World, erp: Erp, children: int, *, days_ahead: float = 0) -> Meeting:
    """A meeting with `children` new items, each assessed with one open action, all cases alice's."""
    meeting = schedule(erp, days_ahead=days_ahead, hour=0)
    for i in range(children):
        referral = refer(world, erp, child(world, family_name=f"Packchild{days_ahead}x{i:02d}"))
        item = agenda_item_add(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting, referral=referral)
        _assess(erp, item)
        _act(world, erp, item, f"Find a school place for item {item.position}")
    return meeting_publish_pack(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)


def _sentinel_meeting(world: World, erp: Erp) -> Meeting:
    """Two children: the sentinel (case shared with police) and another child whose case only alice's agency
    sees. The sentinel has an assessment and two actions, one of them done."""
    Case.objects.filter(pk=world.case.pk).update(summary=SUMMARY)
    refer(world, erp, world.case)
    refer(world, erp, child(world, age=15, family_name="Unshared"), exploitation_types=["sexual"])
    meeting = schedule(erp, days_ahead=0, hour=0)
    sentinel, _ = agenda_build(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)
    _assess(erp, sentinel, danger="Sentinel danger statement")
    _act(world, erp, sentinel, "Housing to assess a move out of the area")
    done = _act(world, erp, sentinel, "Already done: school transport")
    panel_action_close(actor=world.housing_officer, context=SYSTEM_CONTEXT, action=done, status="done")
    return meeting_publish_pack(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)


def _url(meeting: Meeting, pdf: bool = False) -> str:
    return f"/panels/meetings/{meeting.pk}/{'pack.pdf' if pdf else 'pack/'}"


def test_the_pack_shows_each_child_their_latest_assessment_open_actions_and_placeholders(
    world: World, erp: Erp
) -> None:
    meeting = _sentinel_meeting(world, erp)
    response = verified_client(erp.sam).get(_url(meeting))
    assert response.status_code == 200
    page = response.content.decode()
    assert SENTINEL_FAMILY_NAME in page and "Unshared" in page
    assert "Child criminal exploitation" in page and "County lines" in page and "Sexual exploitation" in page
    assert "Found in a trap house two counties away" in page  # the referral's reason
    assert "About 15" not in page and "15 (born" in page
    assert "Sentinel danger statement" in page and "at this meeting" in page
    assert "Housing to assess a move out of the area" in page
    assert "Already done: school transport" not in page  # closed actions are not in the pack
    assert "Not assessed by the panel yet" in page  # the second child
    assert page.count("Network snapshot") == 2 and page.count("Chronology extract") == 2
    assert page.count(PLACEHOLDER) == 2
    assert page.count("No links recorded that your agency can see.") == 2
    assert "panels/pack-print.css" in page and finders.find("panels/pack-print.css")


def test_each_member_copy_has_the_case_summary_only_where_their_agency_may_see_the_case(
    world: World, erp: Erp
) -> None:
    meeting = _sentinel_meeting(world, erp)
    # alice's agency leads both cases; bob's (police) has the sentinel's shared; health has neither.
    shown = {}
    for reader in (world.mash, world.police_officer, erp.nurse):
        pack = meeting_pack(meeting=meeting, reader=reader)
        shown[reader.username] = [entry.case_visible for entry in pack.items]
        page = verified_client(reader).get(_url(meeting)).content.decode()
        assert (SUMMARY in page) == pack.items[0].case_visible, reader.username
        assert SENTINEL_FAMILY_NAME in page  # the panel's own data is in every invited member's copy
    assert shown == {"alice": [True, True], "bob": [True, False], "nina": [False, False]}
    nina = verified_client(erp.nurse).get(_url(meeting)).content.decode()
    assert nina.count("Not in your copy: the case is not shared with your agency.") == 2
    assert "Concerns about county lines." not in nina  # the other child's case summary


def test_outsiders_get_not_found_for_the_page_and_the_pdf(world: World, erp: Erp) -> None:
    meeting = _sentinel_meeting(world, erp)
    youth = factories.agency(world.social_care.local_authority, AgencyType.YOUTH_OFFENDING, "Northbridge YOS")
    not_invited = factories.user(youth, Role.AGENCY_PRACTITIONER, username="yusuf")
    outsiders: list[User] = [world.stranger, not_invited, world.admin]
    for outsider in outsiders:
        client = verified_client(outsider)
        assert client.get(_url(meeting)).status_code == 404, outsider.username
        assert client.get(_url(meeting, pdf=True)).status_code == 404, outsider.username
    assert verified_client(world.housing_officer).get(_url(meeting)).status_code == 200  # a member agency
    assert not AuditEvent.objects.filter(object_id=meeting.pk, actor__in=outsiders).exists()


def test_each_read_of_the_pack_is_one_audit_row_naming_everyone_in_it(world: World, erp: Erp) -> None:
    meeting = _sentinel_meeting(world, erp)
    client = verified_client(erp.nurse)
    for pdf in (False, True):
        before = AuditEvent.objects.count()
        assert client.get(_url(meeting, pdf=pdf)).status_code == 200
        assert AuditEvent.objects.count() == before + 1
        event = AuditEvent.objects.order_by("-id").first()
        assert event is not None
        people = {item.referral.person_id for item in meeting.items.select_related("referral")}
        assert (event.actor, event.object_type, event.object_id) == (erp.nurse, "panel_meeting", meeting.pk)
        assert set(event.person_ids) == people and len(event.person_ids) == 2
        assert event.changes["shown"] == f"meeting pack ({'PDF' if pdf else 'page'})"
        assert event.changes["case_summaries"] == "0"


def test_a_repeat_referral_is_flagged_with_its_history(world: World, erp: Erp) -> None:
    first = refer(world, erp, world.case)
    panel_referral_close(actor=erp.sam, context=SYSTEM_CONTEXT, referral=first, outcome="Moved out of area")
    again = refer(world, erp, world.case)
    assert again.is_repeat
    meeting = schedule(erp, days_ahead=0, hour=0)
    agenda_build(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)
    [entry] = meeting_pack(meeting=meeting, reader=erp.sam).items
    assert entry.history == [first]
    page = verified_client(erp.sam).get(_url(meeting)).content.decode()
    assert "Repeat" in page and "Outcome: Moved out of area" in page


def test_the_pack_page_makes_the_same_queries_for_2_items_as_for_20(world: World, erp: Erp) -> None:
    small = _meeting(world, erp, 2)
    large = _meeting(world, erp, 20, days_ahead=7)
    assert (small.items.count(), large.items.count()) == (2, 20)
    client = verified_client(erp.sam)
    # access_meeting (meeting with panel); items with referral, person, agency and assessment; attendance;
    # open and agreed actions; previous assessments; the cases the reader's agency may see; the live links one
    # hop out of the items (none here: the people at their far ends would be one more); the audit INSERT.
    expected = SESSION_PAGE + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + SESSION_SAVE
    assert count_queries(client, _url(small)) == expected
    assert count_queries(client, _url(large)) == expected


def test_the_pdf_is_a_download_never_cached_and_renders_what_the_page_does(world: World, erp: Erp) -> None:
    meeting = _sentinel_meeting(world, erp)
    response = verified_client(world.police_officer).get(_url(meeting, pdf=True))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    day = timezone.localtime(meeting.scheduled_for).date().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="meeting-pack-{day}.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")
    html = render_to_string(
        "panels/pack_pdf.html", pack_context(meeting_pack(meeting=meeting, reader=world.police_officer))
    )
    assert SUMMARY in html and PLACEHOLDER in html and "OFFICIAL-SENSITIVE" in html
    assert "Concerns about county lines." not in html  # police may not see the other child's case
    assert "<link" not in html and "src=" not in html and "url(" not in html


def test_the_pdf_renderer_refuses_every_url(world: World, erp: Erp) -> None:
    with pytest.raises(FatalURLFetchingError):
        HTML(
            string='<p>x</p><img src="https://cdn.example.invalid/logo.png">',
            url_fetcher=refusing_url_fetcher(),
        ).write_pdf()
    with pytest.raises(FatalURLFetchingError):
        HTML(string="<p>x</p><img src='file:///etc/passwd'>", url_fetcher=refusing_url_fetcher()).write_pdf()
    # The real pack renders with that fetcher, so it asked for nothing; and it reads the database only
    # through meeting_pack, before rendering.
    pack = meeting_pack(meeting=_sentinel_meeting(world, erp), reader=erp.sam)
    with CaptureQueriesContext(connection) as queries:
        assert pack_pdf(pack).startswith(b"%PDF-")
    assert len(queries) == 0


def test_members_read_the_pack_only_once_it_is_published(world: World, erp: Erp) -> None:
    refer(world, erp, world.case)
    meeting = schedule(erp, days_ahead=1)
    agenda_build(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)
    bob = verified_client(world.police_officer)  # police: invited
    assert bob.get(_url(meeting)).status_code == 404
    assert verified_client(erp.colin).get(_url(meeting)).status_code == 200  # the coordinator, building it
    meeting_publish_pack(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)
    assert bob.get(_url(meeting)).status_code == 200
    assert bob.get(_url(meeting, pdf=True)).status_code == 200


def test_the_pack_shows_each_childs_network_as_the_reader_may_see_it(world: World, erp: Erp) -> None:
    from cases.networks.services import LinkData, context_create, link_add

    meeting = _sentinel_meeting(world, erp)
    unshared = Case.objects.get(person__family_name="Unshared").person
    station = context_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        data={"kind": "transport_hub", "name": "Northbridge station"},
    )
    link_add(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        a=world.case.person,
        b=station,
        data=LinkData(link_type="frequents", source="Outreach worker"),
    )
    link_add(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        a=world.case.person,
        b=unshared,
        data=LinkData(link_type="peer", source="School", status="corroborated"),
    )
    sam = verified_client(erp.sam).get(_url(meeting)).content.decode()
    assert "Northbridge station" in sam and "Outreach worker (" in sam
    assert "Unshared" in sam  # social care sees the other child
    bob = verified_client(world.police_officer).get(_url(meeting)).content.decode()
    assert "Northbridge station" in bob
    # Police may not open the other child: the far end is a placeholder naming whom to contact, never a name.
    assert "Known to another agency: contact" in bob
    assert bob.count("Unshared") == sam.count("Unshared") - 1
