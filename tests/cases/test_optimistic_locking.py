"""Two people editing the same case: the second save, made from a stale version, is refused and explained."""

import threading

import pytest

from audits.context import SYSTEM_CONTEXT
from cases.models import Case
from cases.services import case_update
from safeguarding.common.errors import ConcurrentEditError
from safeguarding.organisations.roles import Role
from tests import factories
from tests.conftest import World, token_client, verified_client


def _edit_form(case: Case, **changes: str) -> dict:
    data = {
        "version": str(case.version),
        "status": case.status,
        "risk_level": case.risk_level,
        "exploitation_types": case.exploitation_types,
        "summary": case.summary,
        "closure_reason": "",
        "allocated_worker": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_stale_page_edit_is_refused_with_a_clear_message(world: World) -> None:
    colleague = factories.user(world.social_care, Role.MASH_PRACTITIONER)
    stale = Case.objects.get(pk=world.case.pk)
    first = verified_client(colleague).post(
        f"/cases/{stale.pk}/change/", _edit_form(stale, risk_level="very_high")
    )
    assert first.status_code == 302
    second = verified_client(world.mash).post(
        f"/cases/{stale.pk}/change/", _edit_form(stale, risk_level="low")
    )
    assert second.status_code == 200
    body = second.content.decode()
    assert "govuk-error-summary" in body
    assert "changed by someone else after you opened it" in body
    assert "Your changes have not been saved" in body
    current = Case.objects.get(pk=stale.pk)
    assert current.risk_level == "very_high"
    assert current.version == stale.version + 1


@pytest.mark.django_db
def test_stale_api_patch_is_409(world: World) -> None:
    client = token_client(world.mash)
    url = f"/api/v1/cases/{world.case.pk}/"
    ok = client.patch(url, {"version": 1, "risk_level": "medium"}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "risk_level": "low"}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["extra"]["current_version"] == 2
    assert Case.objects.get(pk=world.case.pk).risk_level == "medium"


@pytest.mark.django_db
def test_missing_version_in_api_patch_is_400(world: World) -> None:
    response = token_client(world.mash).patch(
        f"/api/v1/cases/{world.case.pk}/", {"risk_level": "low"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "version" in response.json()


@pytest.mark.django_db(transaction=True)
def test_truly_concurrent_saves_from_the_same_version_let_exactly_one_win(world: World) -> None:
    case = Case.objects.get(pk=world.case.pk)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def save(level: str) -> None:
        from django.db import connection

        barrier.wait()
        try:
            case_update(
                actor=world.mash,
                case=case,
                expected_version=case.version,
                context=SYSTEM_CONTEXT,
                data={"risk_level": level},
            )
            outcomes.append(level)
        except ConcurrentEditError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(level,)) for level in ["low", "medium", "high", "very_high"]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in outcomes if o != "refused"]
    assert len(winners) == 1 and outcomes.count("refused") == 3
    final = Case.objects.get(pk=case.pk)
    assert final.risk_level == winners[0]
    assert final.version == case.version + 1


@pytest.mark.django_db
def test_closing_requires_a_reason(world: World) -> None:
    case = Case.objects.get(pk=world.case.pk)
    response = verified_client(world.mash).post(
        f"/cases/{case.pk}/change/", _edit_form(case, status="closed")
    )
    assert response.status_code == 200
    assert "Enter a reason for closing the case" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "open"
