"""The networks API: contexts searched and created within an authority, links recorded between ends the user may
see (the same live link again is the first, 200) and moved on from alleged, and the neighbourhood of a person or
context. Happy paths, 400 naming the field with nothing saved, 404 for outsiders (another authority, and an
agency a C-coded link's conditions leave out), an audit row for every read that shows people, and exact query
counts that do not grow with the network."""

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from audits.context import SYSTEM_CONTEXT
from audits.models import AuditEvent
from cases.networks.models import Context, Link, LinkStatus
from cases.networks.services import LinkData, context_create, link_add
from safeguarding.deadlines.models import Deadline
from safeguarding.organisations.models import User
from safeguarding.people.models import Person
from safeguarding.people.services import person_create, person_grant_agency
from tests import factories
from tests.conftest import SENTINEL_FAMILY_NAME, World, count_queries, token_client
from tests.networks.conftest import Net

pytestmark = pytest.mark.django_db

CONTEXTS = "/api/v1/contexts/"
LINKS = "/api/v1/links/"

# Token API request: token + user + agency in one query (tests/referrals/test_api.py).
TOKEN_API = 1
# neighbourhood(): the links one hop out, two hops out, the people reached the viewer may see, and (when some
# are hidden) whom to contact about them (cases/networks/selectors.py).
NEIGHBOURHOOD = 4
# audit_read: the audit row.
AUDIT_ROW = 1


def _send(client: Client, url: str, body: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, json.dumps(body, default=str), content_type="application/json")


def _place(user: User, name: str = "Northbridge Bus Station", kind: str = "transport_hub") -> Context:
    return context_create(actor=user, context=SYSTEM_CONTEXT, data={"kind": kind, "name": name})


def _link(user: User, a: Person | Context, b: Person | Context, **data: Any) -> Link:
    data.setdefault("link_type", "frequents" if isinstance(b, Context) else "associate")
    data.setdefault("source", "Seen together by the school's safeguarding lead")
    link, _ = link_add(actor=user, context=SYSTEM_CONTEXT, a=a, b=b, data=LinkData(**data))
    return link


def _shared_person(world: World, name: str) -> Person:
    """Someone the MASH (social care) may see: recorded by police and shared with social care."""
    person = person_create(
        actor=world.police_officer,
        context=SYSTEM_CONTEXT,
        data=factories.person_data(given_name=name, family_name="Linked", date_of_birth=date(2008, 3, 1)),
    )
    person_grant_agency(person=person, agency=world.social_care, write=False)
    return person


def _audits(user: User, object_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=user, object_type=object_type, action="view"))


# Schema


def test_the_schema_has_the_network_endpoints(world: World) -> None:
    paths = token_client(world.mash).get("/api/schema/?format=json").json()["paths"]
    for path in [
        "/api/v1/contexts/",
        "/api/v1/contexts/{context_id}/",
        "/api/v1/contexts/{context_id}/network/",
        "/api/v1/links/",
        "/api/v1/links/{link_id}/",
        "/api/v1/people/{person_id}/network/",
    ]:
        assert path in paths, path
    assert {"get", "patch"} <= set(paths["/api/v1/links/{link_id}/"])


# Contexts


def test_contexts_are_created_and_found_within_the_authority(world: World) -> None:
    client = token_client(world.mash)
    response = _send(
        client,
        CONTEXTS,
        {"kind": "county_line", "name": "The Banks line", "deal_line_name": "Banksy", "postcode": "nb1 2aa"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "county_line" and body["is_group"] is True and body["postcode"] == "NB1 2AA"
    assert body["created_by_agency_name"] == world.social_care.name
    _place(world.stranger, name="Banks Road Chicken Shop", kind="shop")  # another authority's

    found = client.get(CONTEXTS, {"q": "banksy"}).json()
    assert [c["name"] for c in found["results"]] == ["The Banks line"]
    near = client.get(CONTEXTS, {"q": "bankss"}).json()  # a near spelling
    assert [c["name"] for c in near["results"]] == ["The Banks line"]
    assert client.get(CONTEXTS, {"q": "chicken"}).json()["results"] == []
    assert token_client(world.stranger).get(CONTEXTS, {"q": "banks"}).json()["count"] == 1


def test_a_context_needs_a_kind_and_a_name_and_nothing_is_saved_without(world: World) -> None:
    response = _send(token_client(world.mash), CONTEXTS, {"kind": "castle", "name": ""})
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "name"}
    assert not Context.objects.exists()


def test_a_context_of_another_authority_is_not_found(world: World) -> None:
    place = _place(world.mash)
    assert token_client(world.mash).get(f"{CONTEXTS}{place.pk}/").json()["name"] == place.name
    for outsider in (world.stranger, world.admin):
        assert token_client(outsider).get(f"{CONTEXTS}{place.pk}/").status_code == 404
        assert token_client(outsider).get(f"{CONTEXTS}{place.pk}/network/").status_code == 404


# Links


def test_a_link_is_recorded_once_and_a_second_time_is_the_first(world: World, net: Net) -> None:
    client = token_client(world.police_officer)
    body = {
        "a": {"person": str(net.adult.pk)},
        "b": {"person": str(world.case.person_id)},
        "link_type": "suspected_exploiter",
        "source": "Intelligence report 4471",
        "source_grade": "2",
        "information_grade": "B",
        "handling_code": "P",
        "first_seen": "2026-10-01",
    }
    response = _send(client, LINKS, body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["a"] == {
        "key": f"p:{net.adult.pk}",
        "kind": "person",
        "label": "Dex Adult",
        "visible": True,
    }
    assert created["b"]["label"].endswith(SENTINEL_FAMILY_NAME) and created["status"] == "alleged"
    assert created["recording_agency_name"] == world.police.name
    assert Deadline.objects.filter(subject_type="network_link", subject_id=created["id"]).count() == 1

    again = _send(client, LINKS, {**body, "source": "The same, from a second officer"})
    assert again.status_code == 200 and again.json()["id"] == created["id"]
    assert again.json()["source"] == "Intelligence report 4471"
    assert Link.objects.count() == 1


def test_a_person_can_be_linked_to_a_context(world: World) -> None:
    place = _place(world.mash)
    response = _send(
        token_client(world.mash),
        LINKS,
        {
            "a": {"person": str(world.case.person_id)},
            "b": {"context": str(place.pk)},
            "link_type": "frequents",
            "source": "Return home interview",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["b"] == {
        "key": f"c:{place.pk}",
        "kind": "transport_hub",
        "label": place.name,
        "visible": True,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source": ""}, "source"),
        ({"link_type": "nemesis"}, "link_type"),
        ({"status": "lapsed"}, "status"),
        ({"b": {}}, "b"),
        ({"handling_code": "C"}, "handling_agency_types"),  # the service's rule: C names its agencies
        ({"link_type": "member"}, "link_type"),  # membership is of a group, not of a person
        ({"first_seen": "2026-10-02", "last_seen": "2026-10-01"}, "last_seen"),
    ],
)
def test_a_link_with_a_wrong_field_is_400_and_saves_nothing(
    world: World, net: Net, change: dict[str, Any], field: str
) -> None:
    body = {
        "a": {"person": str(net.adult.pk)},
        "b": {"person": str(world.case.person_id)},
        "link_type": "associate",
        "source": "Seen together",
        **change,
    }
    response = _send(token_client(world.police_officer), LINKS, body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Link.objects.exists() and not Deadline.objects.filter(subject_type="network_link").exists()


def test_a_link_to_someone_the_user_may_not_see_is_not_found(world: World, net: Net) -> None:
    place = _place(world.housing_officer)
    for user, ends in [
        # Housing may see the place, not the sentinel (her case is not shared with housing).
        (
            world.housing_officer,
            {"a": {"person": str(world.case.person_id)}, "b": {"context": str(place.pk)}},
        ),
        # Another authority sees neither.
        (world.stranger, {"a": {"person": str(world.case.person_id)}, "b": {"context": str(place.pk)}}),
        (
            world.mash,
            {"a": {"person": str(world.case.person_id)}, "b": {"context": str(_place(world.stranger).pk)}},
        ),
    ]:
        response = _send(
            token_client(user), LINKS, {**ends, "link_type": "frequents", "source": "Seen there"}
        )
        assert response.status_code == 404, (user, response.content)
        assert SENTINEL_FAMILY_NAME not in response.content.decode()
    assert not Link.objects.exists()


def test_a_c_coded_link_is_shown_and_changed_only_where_its_conditions_allow(world: World, net: Net) -> None:
    place = _place(world.mash)
    link = _link(
        world.police_officer,
        net.adult,
        place,
        link_type="frequents",
        source="Surveillance log",
        handling_code="C",
        handling_agency_types=("police", "childrens_social_care"),
        handling_conditions="Not to be shared outside police and children's social care",
    )
    url = f"{LINKS}{link.pk}/"
    shown = token_client(world.mash).get(url)
    assert shown.status_code == 200 and shown.json()["handling_code"] == "C"
    assert [a.person_ids for a in _audits(world.mash, "network_link")] == [[net.adult.pk]]
    for outsider in (world.housing_officer, world.stranger, world.admin):
        client = token_client(outsider)
        assert client.get(url).status_code == 404
        assert _send(client, url, {"status": "confirmed"}, "patch").status_code == 404
        network = client.get(f"{CONTEXTS}{place.pk}/network/")
        if outsider is world.housing_officer:  # housing sees the place, not the link
            assert [n["key"] for n in network.json()["nodes"]] == [f"c:{place.pk}"]
            assert network.json()["edges"] == []
        else:
            assert network.status_code == 404
    link.refresh_from_db()
    assert link.status == LinkStatus.ALLEGED


def test_a_link_is_confirmed_and_its_clock_met(world: World, net: Net) -> None:
    link = _link(world.police_officer, net.adult, world.case.person, link_type="suspected_exploiter")
    client = token_client(world.mash)
    wrong = _send(client, f"{LINKS}{link.pk}/", {"status": "lapsed"}, "patch")
    assert wrong.status_code == 400 and set(wrong.json()) == {"status"}
    response = _send(client, f"{LINKS}{link.pk}/", {"status": "confirmed", "reason": "Admitted"}, "patch")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    clock = Deadline.objects.get(subject_type="network_link", subject_id=link.pk)
    assert clock.status == "met"


def test_a_lapsed_link_cannot_be_confirmed(world: World, net: Net) -> None:
    link = _link(world.police_officer, net.adult, world.case.person)
    Link.objects.filter(pk=link.pk).update(status=LinkStatus.LAPSED)
    response = _send(token_client(world.mash), f"{LINKS}{link.pk}/", {"status": "confirmed"}, "patch")
    assert response.status_code == 400 and "lapsed" in response.json()["detail"]


# The neighbourhood


def test_a_persons_network_shows_whom_the_viewer_may_see_and_is_audited(world: World, net: Net) -> None:
    place = _place(world.mash)
    _link(world.police_officer, net.adult, world.case.person, link_type="suspected_exploiter")
    _link(world.mash, world.case.person, place)
    # yan's child frequents the place too: social care may not open that child.
    _link(net.yan, net.second.person, place)
    response = token_client(world.mash).get(f"/api/v1/people/{world.case.person_id}/network/")
    assert response.status_code == 200
    body = response.json()
    nodes = {n["key"]: n for n in body["nodes"]}
    assert body["centre"] == f"p:{world.case.person_id}"
    assert nodes[f"p:{net.adult.pk}"]["visible"] and nodes[f"p:{net.adult.pk}"]["hops"] == 1
    hidden = nodes[f"p:{net.second.person_id}"]
    assert hidden == {
        "key": f"p:{net.second.person_id}",
        "kind": "person",
        "label": f"Known to another agency: contact {net.yot.name}",
        "visible": False,
        "url": None,
        "hops": 2,
    }
    assert "Second" not in response.content.decode()
    assert len(body["edges"]) == 3
    [audit] = _audits(world.mash, "person")
    assert set(audit.person_ids) == {world.case.person_id, net.adult.pk}


def test_the_network_filters(world: World, net: Net) -> None:
    place = _place(world.mash)
    _link(
        world.police_officer,
        net.adult,
        world.case.person,
        link_type="suspected_exploiter",
        status="confirmed",
    )
    _link(world.mash, world.case.person, place)
    client = token_client(world.mash)
    url = f"/api/v1/people/{world.case.person_id}/network/"
    assert len(client.get(url, {"link_type": "frequents"}).json()["edges"]) == 1
    assert len(client.get(url, {"link_type": ["frequents", "suspected_exploiter"]}).json()["edges"]) == 2
    assert len(client.get(url, {"status": "confirmed"}).json()["edges"]) == 1
    wrong = client.get(url, {"status": "gone", "seen_since": "yesterday"})
    assert wrong.status_code == 400 and set(wrong.json()) == {"status", "seen_since"}


def test_a_context_network_hides_the_people_the_viewer_may_not_see(world: World) -> None:
    place = _place(world.mash)
    _link(world.mash, world.case.person, place)
    response = token_client(world.housing_officer).get(f"{CONTEXTS}{place.pk}/network/")
    assert response.status_code == 200
    assert SENTINEL_FAMILY_NAME not in response.content.decode()
    [person] = [n for n in response.json()["nodes"] if n["kind"] == "person"]
    assert person["visible"] is False
    # Nobody shown, so no audited read.
    assert _audits(world.housing_officer, "context") == []
    assert token_client(world.mash).get(f"{CONTEXTS}{place.pk}/network/").status_code == 200
    [audit] = _audits(world.mash, "context")
    assert audit.person_ids == [world.case.person_id]


def test_an_outsider_gets_404_for_a_persons_network(world: World) -> None:
    for outsider in (world.housing_officer, world.stranger, world.admin):
        response = token_client(outsider).get(f"/api/v1/people/{world.case.person_id}/network/")
        assert response.status_code == 404


# Query counts


def _grow(world: World, net: Net, place: Context, size: int) -> None:
    """`size` more people each linked to the sentinel and to the place, and one more child the MASH may not see
    (yan's) linked to both: every read then has people to hide too."""
    for i in range(size):
        person = _shared_person(world, f"Friend{Link.objects.count()}{i}")
        _link(world.mash, world.case.person, person)
        _link(world.mash, person, place)
    hidden = factories.open_case(net.yan, given_name="Hidden", family_name=f"H{size}").person
    _link(net.yan, hidden, place)
    _link(net.yan, hidden, world.case.person)


def test_query_counts_do_not_grow_with_the_network(world: World, net: Net) -> None:
    place = _place(world.mash)
    client = token_client(world.mash)
    person_url = f"/api/v1/people/{world.case.person_id}/network/"
    context_url = f"{CONTEXTS}{place.pk}/network/"
    _grow(world, net, place, 1)
    link = Link.objects.filter(context_b=place).first()
    assert link is not None
    counts = (
        count_queries(client, person_url),
        count_queries(client, context_url),
        count_queries(client, f"{LINKS}{link.pk}/"),
        count_queries(client, f"{CONTEXTS}?q=bus"),
    )
    # Token; access_person (1); neighbourhood (4); the audit row.
    assert counts[0] == TOKEN_API + 1 + NEIGHBOURHOOD + AUDIT_ROW
    # Token; access_context (1); neighbourhood (4); the audit row.
    assert counts[1] == TOKEN_API + 1 + NEIGHBOURHOOD + AUDIT_ROW
    # Token; access_link (1); its recording agency (1); access_person for its person end (1); the audit row.
    assert counts[2] == TOKEN_API + 1 + 1 + 1 + AUDIT_ROW
    # Token; the count and the page of contexts.
    assert counts[3] == TOKEN_API + 2
    _grow(world, net, place, 8)
    _place(world.mash, name="Northbridge Bus Garage")
    assert (
        count_queries(client, person_url),
        count_queries(client, context_url),
        count_queries(client, f"{LINKS}{link.pk}/"),
        count_queries(client, f"{CONTEXTS}?q=bus"),
    ) == counts


def test_recording_a_link_that_exists_under_conditions_shows_nothing_of_it(world: World, net: Net) -> None:
    place = _place(world.mash)
    police_only = {
        "a": {"person": str(net.adult.pk)},
        "b": {"context": str(place.pk)},
        "link_type": "frequents",
        "source": "Covert source 17",
        "handling_code": "C",
        "handling_agency_types": ["police"],
    }
    # The recorder gets back what it sent, though its conditions would not show it to its own agency's type.
    recorded = _send(token_client(world.police_officer), LINKS, police_only)
    assert recorded.status_code == 201 and recorded.json()["source"] == "Covert source 17"
    again = _send(
        token_client(world.mash), LINKS, {**police_only, "handling_code": "", "source": "Seen there"}
    )
    assert again.status_code == 404 and "Covert" not in again.content.decode()
    assert Link.objects.count() == 1
