"""A source that needs its own form cannot be chosen on the plain referral form or claimed through the API:
a custody booking is recorded as one, which starts its Golden Hour."""

import pytest

from referrals.models import Referral
from tests.conftest import World, token_client, verified_client
from tests.referrals.test_api import REFERRALS, _post, referral_body

pytestmark = pytest.mark.django_db


def test_the_referral_form_does_not_offer_custody(world: World) -> None:
    html = verified_client(world.mash).get(f"/referrals/new/?person={world.case.person_id}").content.decode()
    assert 'value="custody"' not in html


def test_a_plain_referral_cannot_claim_to_be_a_custody_booking(world: World) -> None:
    body = {**referral_body(person_id=str(world.case.person_id)), "source": "custody"}
    body.pop("person", None)
    response = _post(token_client(world.mash), REFERRALS, body, key="claims-custody")
    assert response.status_code == 400
    assert response.json() == {
        "source": ["Send custody bookings to /api/v1/custody-bookings/, which starts the Golden Hour."]
    }
    assert not Referral.objects.exists()


def test_the_service_refuses_it_too(world: World) -> None:
    from django.core.exceptions import ValidationError

    from audits.context import SYSTEM_CONTEXT
    from referrals.services import referral_create
    from tests.referrals.conftest import referral_data

    with pytest.raises(ValidationError) as refused:
        referral_create(
            actor=world.mash,
            context=SYSTEM_CONTEXT,
            data=referral_data(source="custody"),
            idempotency_key="service-custody",
            person=world.case.person,
        )
    assert refused.value.message_dict == {
        "source": ["Record a custody booking with the custody booking form"]
    }
