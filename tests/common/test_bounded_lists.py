"""Lists of choices (concerns, exploitation types, a network's filters) are bounded: each choice at most once,
so never longer than the choices. A list of 10,000 is a clear 400 (or a field error on a page) and nothing is
saved; never a 500."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from audits.context import SYSTEM_CONTEXT
from cases.models import Case
from cases.services import case_update
from referrals.models import Referral
from tests.conftest import World, token_client
from tests.referrals.test_api import REFERRALS, referral_body


@pytest.mark.django_db
@pytest.mark.parametrize("concerns", [["cce"] * 10_000, ["cce", "cce"], ["cce", "not-a-concern"]])
def test_referral_concerns_are_bounded_in_the_api(world: World, concerns: list[str]) -> None:
    response = token_client(world.mash).post(
        REFERRALS,
        referral_body(concerns=concerns),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 400
    assert "concerns" in response.json()
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_case_exploitation_types_are_bounded(world: World) -> None:
    client = token_client(world.mash)
    url = f"/api/v1/cases/{world.case.pk}/"
    for types in (["criminal"] * 10_000, ["criminal", "criminal"]):
        response = client.patch(
            url, {"exploitation_types": types, "version": world.case.version}, content_type="application/json"
        )
        assert response.status_code == 400, response.content
        assert "exploitation_types" in response.json()
    # The service refuses a repeat too, whoever calls it.
    with pytest.raises(ValidationError) as error:
        case_update(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            case=world.case,
            data={"exploitation_types": ["criminal", "criminal"]},
            expected_version=world.case.version,
        )
    assert "Select each option only once" in str(error.value)
    assert Case.objects.get(pk=world.case.pk).exploitation_types == world.case.exploitation_types


@pytest.mark.django_db
def test_network_filters_are_bounded(world: World) -> None:
    client = token_client(world.mash)
    url = f"/api/v1/people/{world.case.person_id}/network/"
    assert client.get(url, {"status": ["confirmed"] * 50}).status_code == 400
    assert client.get(url, {"status": ["nonsense"]}).status_code == 400
    assert client.get(url, {"link_type": ["frequents", "frequents"]}).status_code == 400
    assert client.get(url, {"status": ["confirmed"]}).status_code == 200
