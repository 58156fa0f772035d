"""The network pages: insiders see them, outsiders get the same 404 as for a record that does not exist, a
person the viewer may not open is a placeholder and never a name, bad input is an error summary with
nothing saved, every page that shows people writes one audit row, and the network page's queries do not
grow with the network."""

import json
import re
import uuid
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.networks.models import Context, CrossCaseAlert, Link, LinkStatus
from cases.networks.services import LinkData, context_create, link_add
from safeguarding.people.services import person_create
from tests import factories
from tests.conftest import World, count_queries, verified_client
from tests.form_data import date_parts
from tests.networks.conftest import Net, run_alert_worker
from tests.test_query_counts import SESSION_PAGE, SESSION_SAVE

pytestmark = pytest.mark.django_db

EXPLOITER = LinkData(
    link_type="suspected_exploiter",
    source="Police intelligence report 4471",
    source_grade="2",
    information_grade="B",
    handling_code="P",
)


def _graph(html: str) -> dict[str, list[dict[str, dict[str, object]]]]:
    found = re.search(r'<script id="network-data" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    data: dict[str, list[dict[str, dict[str, object]]]] = json.loads(found.group(1))
    return data


def _labels(html: str) -> set[str]:
    return {str(node["data"]["label"]) for node in _graph(html)["nodes"]}


def _park(world: World) -> Context:
    return context_create(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        data={"kind": "park", "name": "Millbrook Rec", "postcode": "nb1 2ab"},
    )


def test_the_network_page_shows_the_adult_to_police_and_a_placeholder_to_alice(
    world: World, net: Net
) -> None:
    link_add(
        actor=world.police_officer, context=SYSTEM_CONTEXT, a=net.adult, b=net.second.person, data=EXPLOITER
    )
    link_add(
        actor=world.police_officer, context=SYSTEM_CONTEXT, a=net.adult, b=world.case.person, data=EXPLOITER
    )
    url = f"/networks/people/{world.case.person_id}/"

    alice = verified_client(world.mash).get(url)
    assert alice.status_code == 200
    labels = _labels(alice.content.decode())
    # Alice sees the adult (shared with social care) but not the second child, whose case she cannot open.
    assert world.case.person.full_name in labels and net.adult.full_name in labels
    assert "Known to another agency: contact Northbridge Youth Offending Service" in labels
    assert net.second.person.full_name not in alice.content.decode()
    # Alleged, in the table as in the graph: never drawn as an established link.
    assert "Suspected exploiter of (alleged)" in alice.content.decode()
    audit = AuditEvent.objects.filter(actor_username="alice", object_type="person").latest("occurred_at")
    assert set(audit.person_ids) == {world.case.person_id, net.adult.pk}

    factories.share(net.second, net.yan, world.police)
    bob = verified_client(world.police_officer).get(url)
    assert {world.case.person.full_name, net.adult.full_name, net.second.person.full_name} <= _labels(
        bob.content.decode()
    )


@pytest.mark.parametrize(
    "path",
    [
        "/networks/people/{person}/",
        "/networks/people/{person}/links/add/",
        "/networks/contexts/{context}/",
        "/networks/people/{missing}/",
        "/networks/contexts/{missing}/",
    ],
)
def test_outsiders_get_not_found(world: World, path: str) -> None:
    park = _park(world)
    url = path.format(person=world.case.person_id, context=park.pk, missing=uuid.uuid4())
    assert verified_client(world.stranger).get(url).status_code == 404
    if "{missing}" not in path and "links/add" not in path:
        assert verified_client(world.mash).get(url).status_code == 200


def test_a_context_is_searched_for_before_it_is_added(world: World) -> None:
    park = _park(world)
    client = verified_client(world.mash)
    found = client.get("/networks/contexts/", {"q": "millbrook"})
    assert found.status_code == 200 and park.name in found.content.decode()
    assert 'name="kind"' in found.content.decode()  # the create form, once searched
    assert 'name="kind"' not in client.get("/networks/contexts/").content.decode()

    bad = client.post("/networks/contexts/", {"q": "Sprocket", "name": "", "kind": ""})
    assert bad.status_code == 200
    assert "There is a problem" in bad.content.decode()
    assert "Enter the name of the place or group" in bad.content.decode()
    assert Context.objects.count() == 1

    made = client.post("/networks/contexts/", {"q": "Sprocket", "name": "Sprocket Lane", "kind": "hotspot"})
    created = Context.objects.get(name="Sprocket Lane")
    assert made.status_code == 302 and made["Location"] == f"/networks/contexts/{created.pk}/"
    assert (
        verified_client(world.stranger)
        .get("/networks/contexts/", {"q": "sprocket"})
        .content.decode()
        .count("Sprocket Lane")
        == 0
    )


def test_a_link_is_added_after_searching_for_its_other_end(world: World, net: Net) -> None:
    client = verified_client(world.mash)
    add = f"/networks/people/{world.case.person_id}/links/add/"
    found = client.get(add, {"q": "Dex Adult"})
    assert found.status_code == 200 and f'value="person:{net.adult.pk}"' in found.content.decode()
    assert (
        client.get(add, {"q": "Dex Adult", "step": "choose"})
        .content.decode()
        .count("Select who or what they are linked to")
        == 2
    )  # the summary and the radios

    bad = client.post(
        add, {"end": f"person:{net.adult.pk}", "link_type": "suspected_exploiter", "source": " "}
    )
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()
    assert not Link.objects.exists()

    saved = client.post(
        add,
        {
            "end": f"person:{net.adult.pk}",
            "direction": "to_person",
            "link_type": "suspected_exploiter",
            "source": "Disclosure to school nurse",
            "status": "alleged",
            **date_parts("first_seen", date(2026, 1, 4)),
            **date_parts("last_seen", date(2026, 2, 1)),
        },
    )
    assert saved.status_code == 302 and saved["Location"] == f"/networks/people/{world.case.person_id}/"
    link = Link.objects.get()
    assert (link.person_a_id, link.person_b_id, link.status) == (
        net.adult.pk,
        world.case.person_id,
        "alleged",
    )
    assert (link.first_seen, link.last_seen) == (date(2026, 1, 4), date(2026, 2, 1))


def test_an_end_the_user_may_not_see_is_not_found(world: World, net: Net) -> None:
    add = f"/networks/people/{world.case.person_id}/links/add/"
    response = verified_client(world.mash).get(add, {"end": f"person:{net.second.person_id}"})
    assert response.status_code == 404
    assert verified_client(world.mash).get(add, {"end": "person:nonsense"}).status_code == 404


def test_a_link_is_confirmed_from_the_table(world: World, net: Net) -> None:
    link, _ = link_add(
        actor=world.police_officer, context=SYSTEM_CONTEXT, a=net.adult, b=world.case.person, data=EXPLOITER
    )
    client = verified_client(world.mash)
    page = client.get(f"/networks/people/{world.case.person_id}/").content.decode()
    assert f'action="/networks/links/{link.pk}/status/"' in page
    response = client.post(
        f"/networks/links/{link.pk}/status/", {"status": "confirmed", "back": f"p:{world.case.person_id}"}
    )
    assert response.status_code == 302 and response["Location"] == f"/networks/people/{world.case.person_id}/"
    link.refresh_from_db()
    assert link.status == LinkStatus.CONFIRMED
    stranger = verified_client(world.stranger).post(
        f"/networks/links/{link.pk}/status/", {"status": "alleged", "back": f"p:{world.case.person_id}"}
    )
    assert stranger.status_code == 404


def test_a_bad_filter_is_an_error_and_the_rest_still_filters(world: World, net: Net) -> None:
    link_add(
        actor=world.police_officer, context=SYSTEM_CONTEXT, a=net.adult, b=world.case.person, data=EXPLOITER
    )
    link_add(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        a=world.case.person,
        b=_park(world),
        data=LinkData(link_type="frequents", source="Youth worker"),
    )
    client = verified_client(world.mash)
    url = f"/networks/people/{world.case.person_id}/"
    only_places = client.get(url, {"link_type": "frequents"}).content.decode()
    assert _labels(only_places) == {world.case.person.full_name, "Millbrook Rec"}
    bad = client.get(
        url, {**date_parts("seen_since", day="31", month="2", year="2026"), "link_type": "frequents"}
    )
    assert bad.status_code == 200
    assert "The seen since date must be a real date, for example 27 3 2026" in bad.content.decode()
    assert 'href="#id_seen_since_day"' in bad.content.decode()
    assert _labels(bad.content.decode()) == {world.case.person.full_name, "Millbrook Rec"}


def test_the_person_page_counts_the_visible_links(world: World, net: Net) -> None:
    link_add(
        actor=world.police_officer, context=SYSTEM_CONTEXT, a=net.adult, b=world.case.person, data=EXPLOITER
    )
    page = verified_client(world.mash).get(f"/people/{world.case.person_id}/").content.decode()
    assert "1 live link to people, places and groups" in page
    assert f'href="/networks/people/{world.case.person_id}/"' in page


def _grow(world: World, net: Net, start: int, n: int) -> None:
    for i in range(start, start + n):
        peer = person_create(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            data=factories.person_data(given_name="Peer", family_name=f"P{i}"),
        )
        link_add(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            a=world.case.person,
            b=peer,
            data=LinkData(link_type="peer", source="School"),
        )
        link_add(
            actor=world.police_officer,
            context=SYSTEM_CONTEXT,
            a=net.adult,
            b=peer,
            data=LinkData(link_type="associate", source="Stop and search"),
        )


def test_the_network_page_has_an_exact_and_constant_query_count(world: World, net: Net) -> None:
    # The second child is there from the start, so the viewer always has someone to be told whom to contact.
    link_add(
        actor=world.police_officer, context=SYSTEM_CONTEXT, a=net.adult, b=net.second.person, data=EXPLOITER
    )
    link_add(
        actor=world.police_officer, context=SYSTEM_CONTEXT, a=net.adult, b=world.case.person, data=EXPLOITER
    )
    client: Client = verified_client(world.mash)
    url = f"/networks/people/{world.case.person_id}/"
    # access (person with permission subquery), links one hop out, two hops out, which people the viewer
    # may see, whom to contact about the others, audit INSERT, the open plan actions of the places and groups
    # the child is linked to
    expected = SESSION_PAGE + 1 + 1 + 1 + 1 + 1 + 1 + 1 + SESSION_SAVE
    assert count_queries(client, url) == expected
    _grow(world, net, 0, 15)
    assert count_queries(client, url) == expected
    run_alert_worker()
    assert CrossCaseAlert.objects.exists()


def test_a_context_is_assessed_and_given_a_plan_through_its_page(world: World, net: Net) -> None:
    park = context_create(
        actor=world.mash, context=SYSTEM_CONTEXT, data={"kind": "park", "name": "Eastfield Park"}
    )
    link_add(
        actor=world.mash,
        context=SYSTEM_CONTEXT,
        a=world.case.person,
        b=park,
        data=LinkData(link_type="frequents", source="Mother"),
    )
    alice = verified_client(world.mash)
    url = f"/networks/contexts/{park.pk}/plan/"
    page = alice.get(url)
    assert page.status_code == 200 and "Zephyrine Quillfeather" in page.content.decode()
    bad = alice.post(url, {"form": "assess", "kind": "neighbourhood"})
    assert "Enter what must change first for the children to be safer" in bad.content.decode()
    ok = alice.post(
        url,
        {
            "form": "assess",
            "kind": "neighbourhood",
            "findings": "Recruiting at the skate area.",
            "change_first": "Lighting and youth work presence after school.",
        },
    )
    assert ok.status_code == 302
    action = {"form": "action", "description": "Fix the lighting", "owner_agency": world.housing.pk}
    undated = alice.post(url, action)
    assert undated.status_code == 200
    assert "Enter the date the action is due, including a day, month and year" in undated.content.decode()
    due = timezone.localdate() + timedelta(days=14)
    agreed = alice.post(url, {**action, **date_parts("due_date", due)})
    assert agreed.status_code == 302
    network = alice.get(f"/networks/people/{world.case.person_id}/").content.decode()
    assert "Fix the lighting" in network
    assert verified_client(world.stranger).get(url).status_code == 404


def test_a_context_is_changed_and_its_history_shows_what_it_was(world: World) -> None:
    park = _park(world)
    alice = verified_client(world.mash)
    url = f"/networks/contexts/{park.pk}/change/"
    form = alice.get(url).content.decode()
    assert 'value="Millbrook Rec"' in form
    bad = alice.post(url, {"kind": "park", "name": " "})
    assert bad.status_code == 200 and "Enter the name of the place or group" in bad.content.decode()
    park.refresh_from_db()
    assert park.name == "Millbrook Rec"
    done = alice.post(url, {"kind": "park", "name": "Millbrook Recreation Ground", "postcode": "NB1 2AB"})
    assert done.status_code == 302
    park.refresh_from_db()
    assert park.name == "Millbrook Recreation Ground" and "recreation" in park.search_text
    history = alice.get(f"/networks/contexts/{park.pk}/history/?show=changes").content.decode()
    assert "Changed its details: name from “Millbrook Rec” to “Millbrook Recreation Ground”" in history
    assert "Added the place or group" in history
    assert "Looked at its page" not in history
    looks = alice.get(f"/networks/contexts/{park.pk}/history/?show=looks").content.decode()
    assert "Looked at its page" in looks and "Changed its details" not in looks
    assert verified_client(world.stranger).get(f"/networks/contexts/{park.pk}/history/").status_code == 404


def test_a_links_history_is_kept_from_an_agency_its_handling_code_excludes(world: World) -> None:
    park = _park(world)
    link_add(
        actor=world.police_officer,
        context=SYSTEM_CONTEXT,
        a=world.case.person,
        b=park,
        data=LinkData(
            link_type="frequents",
            source="Covert source 19",
            handling_code="C",
            handling_agency_types=("police",),
        ),
    )
    url = f"/networks/contexts/{park.pk}/history/?show=changes"
    assert "Recorded a link to it" in verified_client(world.police_officer).get(url).content.decode()
    assert "Recorded a link to it" not in verified_client(world.mash).get(url).content.decode()


def test_the_history_page_has_an_exact_and_constant_query_count(world: World) -> None:
    park = _park(world)
    client: Client = verified_client(world.mash)
    url = f"/networks/contexts/{park.pk}/history/"
    # the context (access), the page's count, the page of events, audit INSERT
    expected = SESSION_PAGE + 1 + 1 + 1 + 1 + SESSION_SAVE
    assert count_queries(client, url) == expected
    for n in range(30):
        link_add(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            a=person_create(
                actor=world.mash,
                context=SYSTEM_CONTEXT,
                data=factories.person_data(given_name="Visitor", family_name=f"Number{n:02d}"),
            ),
            b=park,
            data=LinkData(link_type="frequents", source="Park warden"),
        )
    assert count_queries(client, url) == expected


def test_a_peer_not_found_is_added_without_a_case_and_then_linked(world: World) -> None:
    from cases.models import Case
    from safeguarding.people.models import Person

    alice = verified_client(world.mash)
    base = f"/networks/people/{world.case.person_id}/links/add/"
    search = alice.get(base, {"q": "Kai Nobody"}).content.decode()
    assert "new/?what=person&amp;q=Kai%20Nobody" in search
    form = alice.get(f"{base}new/", {"what": "person", "q": "Kai Nobody"}).content.decode()
    assert 'value="Kai"' in form and 'value="Nobody"' in form
    bad = alice.post(f"{base}new/", {"what": "person", "q": "Kai Nobody", "new-given_name": "Kai"})
    assert bad.status_code == 200 and "error-summary" in bad.content.decode()
    assert not Person.objects.filter(given_name="Kai").exists()
    made = alice.post(
        f"{base}new/",
        {
            "what": "person",
            "q": "Kai Nobody",
            "new-given_name": "Kai",
            "new-family_name": "Nobody",
            "new-estimated_age_years": "15",
        },
    )
    assert made.status_code == 302, re.findall(r"govuk-error-message.*?</p>", made.content.decode(), re.S)
    kai = Person.objects.get(given_name="Kai", family_name="Nobody")
    assert made["Location"] == f"{base}?end=person%3A{kai.pk}"
    assert not Case.objects.filter(person=kai).exists()
    linked = alice.post(
        base,
        {
            "end": f"person:{kai.pk}",
            "link_type": "peer",
            "direction": "from_person",
            "source": "Mother",
            "status": "alleged",
        },
    )
    assert linked.status_code == 302
    assert Link.objects.filter(link_type="peer").count() == 1
    place = alice.post(
        f"{base}new/", {"what": "context", "q": "Jay's", "new-kind": "shop", "new-name": "Jay's Chicken"}
    )
    jays = Context.objects.get(name="Jay's Chicken")
    assert place["Location"] == f"{base}?end=context%3A{jays.pk}"
    assert "Add a new person" in alice.get(f"{base}new/", {"what": "castle"}).content.decode()
    assert verified_client(world.stranger).get(f"{base}new/", {"what": "person"}).status_code == 404
