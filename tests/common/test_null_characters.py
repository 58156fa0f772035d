"""A NUL byte in any part of a request is a clear 400 with nothing saved, for pages and the API alike."""

import pytest

from safeguarding.people.models import Person
from tests.conftest import World, token_client, verified_client

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_search_or_a_form_is_a_400_page(world: World) -> None:
    alice = verified_client(world.mash)
    search = alice.get("/people/", {"q": "Zeph\x00yrine"})
    assert search.status_code == 400 and "null character" in search.content.decode()
    before = Person.objects.count()
    posted = alice.post("/people/add/", {"person-given_name": "Kai\x00", "person-family_name": "Nul"})
    assert posted.status_code == 400
    assert Person.objects.count() == before


def test_a_nul_in_a_json_body_is_a_400_answer(world: World) -> None:
    before = Person.objects.count()
    response = token_client(world.mash).post(
        "/api/v1/people/",
        '{"given_name": "Kai\\u0000", "family_name": "Nul"}',
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "null_character"
    assert Person.objects.count() == before
