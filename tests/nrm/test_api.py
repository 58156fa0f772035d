"""The NRM API: a child's referrals listed and recorded, one referral, its reasonable and conclusive grounds
decisions; bad input is a 400 with field errors and nothing saved; a reader who may not change the case is
refused with 403, an outsider gets 404; every read is audited once; query counts do not grow."""

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from audits.models import AuditEvent
from cases.nrm.models import NrmReferral
from safeguarding.deadlines.models import Deadline, DeadlineStatus
from tests.conftest import World, count_queries, token_client
from tests.nrm.conftest import days_ago, decide_cg, decide_rg, refer
from tests.test_query_counts import TOKEN_API

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _list_url(world: World) -> str:
    return f"/api/v1/people/{world.case.person_id}/nrm-referrals/"


def _referral_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "first_responder": "Northbridge Police",
        "referred_on": days_ago(2).isoformat(),
        "exploitation_types": ["criminal"],
        "county_lines": False,
    }
    body.update(overrides)
    return body


def _decision_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "outcome": "positive",
        "decided_on": timezone.localdate().isoformat(),
        "decided_by": "sca",
        "decision_maker_name": "SCA",
    }
    body.update(overrides)
    return body


def test_a_referral_is_recorded_and_listed(world: World) -> None:
    client = token_client(world.mash)
    empty = client.get(_list_url(world)).json()
    assert empty == {
        "person": str(world.case.person_id),
        "person_name": "Zephyrine Quillfeather",
        "referrals": [],
    }
    created = _post(client, _list_url(world), _referral_body(exploitation_types=["trafficking", "criminal"]))
    assert created.status_code == 201
    body = created.json()
    referral = NrmReferral.objects.get()
    assert body["id"] == str(referral.pk) and body["case"] == str(world.case.pk)
    assert body["exploitation_types"] == ["criminal", "trafficking"]
    assert (body["status"], body["reasonable_grounds"], body["recovery_period"], body["guardian"]) == (
        "awaiting_reasonable_grounds",
        None,
        None,
        None,
    )
    assert Deadline.objects.get(subject_id=referral.pk).status == DeadlineStatus.RUNNING
    listed = client.get(_list_url(world)).json()["referrals"]
    assert [r["id"] for r in listed] == [str(referral.pk)]
    views = AuditEvent.objects.filter(actor_username="alice", object_type="person", action="view")
    assert [event.changes["count"] for event in views.order_by("occurred_at")] == [0, 1]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"exploitation_types": ["criminal", "witchcraft"]}, "exploitation_types"),
        ({"exploitation_types": []}, "exploitation_types"),
        ({"exploitation_types": ["criminal"] * 8}, "exploitation_types"),
        ({"exploitation_types": "criminal"}, "exploitation_types"),
        ({"referred_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "referred_on"),
        ({"referred_on": "2011-04-01"}, "referred_on"),
        ({"first_responder": ""}, "first_responder"),
        ({"first_responder": "x" * 201}, "first_responder"),
    ],
)
def test_bad_referrals_are_400_with_field_errors_and_nothing_saved(
    world: World, overrides: dict[str, Any], field: str
) -> None:
    response = _post(token_client(world.mash), _list_url(world), _referral_body(**overrides))
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not NrmReferral.objects.exists() and not Deadline.objects.exists()


def test_decisions_are_recorded_in_order(world: World) -> None:
    referral = refer(world, referred_on=days_ago(45))
    client = token_client(world.mash)
    base = f"/api/v1/nrm-referrals/{referral.pk}/"
    before_rg = _post(client, f"{base}conclusive-grounds-decision/", _decision_body())
    assert before_rg.status_code == 400 and before_rg.json()["code"] == "reasonable_grounds_first"

    wrong = _post(
        client, f"{base}reasonable-grounds-decision/", _decision_body(outcome="maybe", decided_by="x")
    )
    assert wrong.status_code == 400 and set(wrong.json()) == {"outcome", "decided_by"}
    rg = _post(
        client, f"{base}reasonable-grounds-decision/", _decision_body(decided_on=days_ago(40).isoformat())
    )
    assert rg.status_code == 201
    earliest = days_ago(40) + timedelta(days=30)
    assert rg.json()["reasonable_grounds"] == {
        "outcome": "positive",
        "decided_on": days_ago(40).isoformat(),
        "decided_by": "sca",
        "decision_maker_name": "SCA",
    }
    assert rg.json()["recovery_period"] == {
        "starts_on": days_ago(40).isoformat(),
        "earliest_end_on": earliest.isoformat(),
    }
    again = _post(client, f"{base}reasonable-grounds-decision/", _decision_body())
    assert again.status_code == 409 and again.json()["code"] == "already_decided"

    too_early = _post(
        client,
        f"{base}conclusive-grounds-decision/",
        _decision_body(decided_on=(earliest - timedelta(days=1)).isoformat()),
    )
    assert too_early.status_code == 400 and "decided_on" in too_early.json()
    cg = _post(client, f"{base}conclusive-grounds-decision/", _decision_body(decided_on=earliest.isoformat()))
    assert cg.status_code == 201 and cg.json()["status"] == "conclusive_grounds_positive"
    assert client.get(f"{base}conclusive-grounds-decision/").json()["conclusive_grounds"]["decided_on"] == (
        earliest.isoformat()
    )


def test_a_partner_reads_but_is_refused_writes_and_outsiders_get_404(world: World) -> None:
    referral = refer(world)
    base = f"/api/v1/nrm-referrals/{referral.pk}/"
    police = token_client(world.police_officer)
    assert police.get(base).json()["person_name"] == "Zephyrine Quillfeather"
    assert police.get(_list_url(world)).json()["referrals"][0]["id"] == str(referral.pk)
    assert _post(police, f"{base}reasonable-grounds-decision/", _decision_body()).status_code == 403
    assert _post(police, _list_url(world), _referral_body()).status_code == 403
    for outsider in (world.housing_officer, world.stranger, world.admin):
        client = token_client(outsider)
        for url in (
            base,
            f"{base}reasonable-grounds-decision/",
            f"{base}conclusive-grounds-decision/",
            _list_url(world),
        ):
            response = client.get(url)
            assert response.status_code == 404 and b"Quillfeather" not in response.content, (outsider, url)
            written = _post(client, url, _decision_body() if "decision" in url else _referral_body())
            assert written.status_code == (405 if url == base else 404), (outsider, url)
    assert token_client(world.mash).get(f"/api/v1/nrm-referrals/{uuid.uuid4()}/").status_code == 404
    referral.refresh_from_db()
    assert referral.rg_outcome == "" and NrmReferral.objects.count() == 1
    (audit,) = AuditEvent.objects.filter(actor_username="bob", object_type="nrm_referral")
    assert (audit.object_id, audit.person_ids) == (referral.pk, [world.case.person_id])


def test_the_api_has_constant_query_counts(world: World) -> None:
    first = refer(world, referred_on=days_ago(60))
    client = token_client(world.mash)
    listing = _list_url(world)
    detail = f"/api/v1/nrm-referrals/{first.pk}/"
    # access (person with permission subquery), the referrals of the cases alice may see (with child and agency),
    # audit INSERT
    assert count_queries(client, listing) == TOKEN_API + 1 + 1 + 1
    # access (referral with child, case, agency, recorder; case-permission subquery), audit INSERT
    assert count_queries(client, detail) == TOKEN_API + 1 + 1
    decide_rg(world, first, decided_on=days_ago(58))
    decide_cg(world, first, decided_on=days_ago(20))
    second = refer(world, referred_on=days_ago(5))
    decide_rg(world, second, outcome="negative", decided_on=days_ago(4))
    refer(world, referred_on=days_ago(1))
    assert count_queries(client, listing) == TOKEN_API + 1 + 1 + 1
    assert count_queries(client, detail) == TOKEN_API + 1 + 1
