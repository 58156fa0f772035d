"""A place or group referred to the contextual panel: it waits in the panel's queue with a listing clock like a
child, comes onto the agenda, is in the pack under its own heading, and is assessed on its own page (the
child's risk instrument is refused). Referring it to the child-focused ERP is refused; so is a second open
referral. The context page shows its referrals; the API takes a place or group as well as a child."""

import pytest
from django.core.exceptions import ValidationError

from audits.context import SYSTEM_CONTEXT
from cases.networks.models import Context
from cases.networks.services import LinkData, context_create, link_add
from panels.models import Panel, PanelKind, PanelReferral, PanelReferralStatus
from panels.services import agenda_build, meeting_publish_pack, panel_referral_create, risk_assessment_save
from safeguarding.common.errors import ApplicationError
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from tests.conftest import World, token_client, verified_client
from tests.panels.conftest import Erp, schedule

pytestmark = pytest.mark.django_db

DATA = {
    "reason": "Children from three schools are being approached at the bus station after school.",
    "exploitation_types": ["criminal", "county_lines"],
    "current_risk": "high",
}


@pytest.fixture
def contextual(world: World, erp: Erp) -> Panel:
    panel = Panel.objects.create(
        local_authority=erp.panel.local_authority,
        name="Northbridge Contextual ERP",
        kind=PanelKind.CONTEXTUAL_ERP,
        coordinator=erp.colin,
        manager=erp.manager,
    )
    panel.chairs.set([erp.paula, erp.sam])
    panel.member_agencies.set([world.social_care, world.police, world.housing])
    return panel


def _station(world: World) -> Context:
    station = context_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        data={"kind": "transport_hub", "name": "Northbridge bus station", "postcode": "NB1 4ZZ"},
    )
    link_add(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        a=world.case.person,
        b=station,
        data=LinkData(link_type="frequents", source="School attendance officer"),
    )
    return station


def _refer(world: World, panel: Panel, station: Context) -> PanelReferral:
    return panel_referral_create(
        actor=world.mash, context=SYSTEM_CONTEXT, panel=panel, about=station, data=DATA
    )


def test_a_place_waits_in_the_contextual_panels_queue_with_a_listing_clock(
    world: World, erp: Erp, contextual: Panel
) -> None:
    station = _station(world)
    referral = _refer(world, contextual, station)
    assert (referral.person, referral.context, referral.status) == (
        None,
        station,
        PanelReferralStatus.AWAITING_LISTING,
    )
    clock = Deadline.objects.get(subject_type="panel_referral", subject_id=referral.pk)
    assert (clock.owner, clock.person_id, clock.subject_label) == (erp.colin, None, "Northbridge bus station")
    with pytest.raises(ApplicationError, match="Northbridge bus station is already on"):
        _refer(world, contextual, station)


def test_a_place_cannot_go_to_the_child_focused_panel(world: World, erp: Erp) -> None:
    with pytest.raises(ValidationError) as raised:
        _refer(world, erp.panel, _station(world))
    assert raised.value.message_dict == {
        "panel": ["Select a contextual panel: places and groups go to the contextual ERP"]
    }
    assert not PanelReferral.objects.exists()


def test_a_place_is_on_the_agenda_and_in_the_pack_and_assessed_on_its_own_page(
    world: World, erp: Erp, contextual: Panel
) -> None:
    station = _station(world)
    referral = _refer(world, contextual, station)
    meeting = schedule(erp, days_ahead=0, hour=0)
    meeting.panel = contextual
    meeting.save(update_fields=["panel"])
    [item] = agenda_build(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)
    assert item.referral == referral
    assert Deadline.objects.get(subject_id=referral.pk).status == DeadlineStatus.MET
    with pytest.raises(ApplicationError, match="The risk instrument is for a child"):
        risk_assessment_save(
            actor=erp.sam, context=SYSTEM_CONTEXT, item=item, answers={"missing": "last_6_months"}, text={}
        )
    meeting_publish_pack(actor=erp.colin, context=SYSTEM_CONTEXT, meeting=meeting)
    sam = verified_client(erp.sam)
    pack = sam.get(f"/panels/meetings/{meeting.pk}/pack/").content.decode()
    assert "The place or group" in pack and "Northbridge bus station" in pack and "NB1 4ZZ" in pack
    assert "A place or group has no case" in pack
    assert sam.get(f"/panels/meetings/{meeting.pk}/pack.pdf").content.startswith(b"%PDF-")
    page = sam.get(f"/panels/items/{item.pk}/").content.decode()
    assert f"/networks/contexts/{station.pk}/plan/" in page
    assert "Assess the risk" not in page


def test_the_context_page_refers_it_and_lists_its_referrals(world: World, contextual: Panel) -> None:
    station = _station(world)
    alice = verified_client(world.mash)
    page = alice.get(f"/networks/contexts/{station.pk}/").content.decode()
    assert "Not referred to a panel that your agency can see." in page
    url = f"/panels/refer/places-and-groups/{station.pk}/"
    form = alice.get(url).content.decode()
    assert "Why are you referring this place or group?" in form and "Northbridge Contextual ERP" in form
    bad = alice.post(url, {"panel": contextual.pk, "reason": " "})
    assert bad.status_code == 200
    assert "Enter the reason for the referral" in bad.content.decode()
    assert not PanelReferral.objects.exists()
    done = alice.post(url, {"panel": contextual.pk, **DATA})
    assert done.status_code == 302 and done["Location"] == f"/networks/contexts/{station.pk}/"
    page = alice.get(f"/networks/contexts/{station.pk}/").content.decode()
    assert "Northbridge Contextual ERP, referred" in page
    assert verified_client(world.stranger).get(url).status_code == 404


def test_the_api_refers_a_place_or_a_child_but_not_both(world: World, contextual: Panel) -> None:
    station = _station(world)
    api = token_client(world.mash)
    both = api.post(
        "/api/v1/panel-referrals/",
        {
            "panel_id": str(contextual.pk),
            "person_id": str(world.case.person_id),
            "place_or_group_id": str(station.pk),
            **DATA,
        },
        content_type="application/json",
    )
    assert both.status_code == 400
    made = api.post(
        "/api/v1/panel-referrals/",
        {"panel_id": str(contextual.pk), "place_or_group_id": str(station.pk), **DATA},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["person"], body["place_or_group"], body["person_name"]) == (
        None,
        str(station.pk),
        "Northbridge bus station",
    )
