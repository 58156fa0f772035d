"""A page or an offset that does not exist is answered 400 saying what is wrong, on pages and in the API;
never a 500, never a quietly different page."""

import pytest

from tests.conftest import World, token_client, verified_client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("2", "There is no page 2: there is 1 page"),
        ("999999", "There is no page 999999: there is 1 page"),
        ("0", "The page number must be a whole number, 1 or more"),
        ("-1", "The page number must be a whole number, 1 or more"),
        ("abc", "The page number must be a whole number, 1 or more"),
        ("1" * 40, "The page number must be a whole number, 1 or more"),
    ],
)
def test_pages_past_the_end_or_not_numbers_are_400(world: World, page: str, message: str) -> None:
    client = verified_client(world.mash)
    for path in ("/people/", "/cases/", "/referrals/", "/people/audit/"):
        response = client.get(path, {"page": page})
        if path == "/people/audit/":  # the auditor's page: alice gets 404 before any paging
            assert response.status_code == 404
            continue
        assert response.status_code == 400, path
        assert message in response.content.decode(), path


@pytest.mark.django_db
def test_the_first_page_of_an_empty_list_is_fine(world: World) -> None:
    client = verified_client(world.mash)
    assert client.get("/referrals/", {"page": "1"}).status_code == 200
    assert client.get("/referrals/", {"page": ""}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"limit": "0"}, "limit", "limit must be from 1 to 200"),
        ({"limit": "201"}, "limit", "limit must be from 1 to 200"),
        ({"limit": "-5"}, "limit", "limit must be a whole number, 0 or more"),
        ({"limit": "ten"}, "limit", "limit must be a whole number, 0 or more"),
        ({"offset": "-1"}, "offset", "offset must be a whole number, 0 or more"),
        ({"offset": "1"}, "offset", "offset is past the end of the list (1 result)"),
        ({"offset": "99999999"}, "offset", "offset is past the end of the list (1 result)"),
    ],
)
def test_api_limits_and_offsets_out_of_range_are_400(
    world: World, query: dict[str, str], field: str, message: str
) -> None:
    response = token_client(world.mash).get("/api/v1/cases/", query)
    assert response.status_code == 400
    assert response.json() == {field: [message]}


@pytest.mark.django_db
def test_api_paging_within_range(world: World) -> None:
    client = token_client(world.mash)
    assert client.get("/api/v1/cases/", {"limit": "200", "offset": "0"}).status_code == 200
    assert client.get("/api/v1/cases/").json()["count"] == 1
