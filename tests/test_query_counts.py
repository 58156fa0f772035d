"""Exact query counts for list and detail pages and APIs, and proof they do not grow with the rows shown.
Each count is the sum of the queries named in the comment beside it."""

import pytest

from tests import factories
from tests.conftest import World, count_queries, token_client, verified_client

# Every two-factor page request: session, user, OTP device, user's role groups, user's agency, and the
# header's unread-notification count (one probe of the partial index).
SESSION_PAGE = 6
# Session write-back (SESSION_SAVE_EVERY_REQUEST): savepoint, UPDATE, release.
SESSION_SAVE = 3
# Token API request: token + user + agency (one join) with the user's role groups (an array subquery in the
# same query); the last-used update, at most once a minute, falls on count_queries' warming request.
TOKEN_API = 1
# guardian looks up content types, which Django caches per process; count_queries measures the warm steady
# state (a first request warms the cache), so these cost nothing.
GUARDIAN_CONTENT_TYPE = 0
# Pagination count, page rows (with select_related), one audit INSERT for everyone shown.
LIST_PAGE = 3


def _grow(world: World, n: int) -> None:
    for i in range(n):
        factories.open_case(world.mash, family_name=f"Grow{i}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/people/", SESSION_PAGE + GUARDIAN_CONTENT_TYPE + LIST_PAGE + SESSION_SAVE),
        ("/cases/", SESSION_PAGE + GUARDIAN_CONTENT_TYPE + LIST_PAGE + SESSION_SAVE),
        # Home: every persona's is counted exactly in tests/test_home.py.
    ],
)
def test_page_lists_have_exact_and_constant_query_counts(world: World, url: str, expected: int) -> None:
    client = verified_client(world.mash)
    assert count_queries(client, url) == expected
    _grow(world, 30)
    assert count_queries(client, url) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/people/", "/api/v1/cases/"])
def test_api_lists_have_exact_and_constant_query_counts(world: World, url: str) -> None:
    client = token_client(world.mash)
    # token lookup with user, agency and role groups, content type, count, rows, audit INSERT
    expected = TOKEN_API + GUARDIAN_CONTENT_TYPE + LIST_PAGE
    assert count_queries(client, url) == expected
    _grow(world, 30)
    assert count_queries(client, url) == expected


@pytest.mark.django_db
def test_person_detail_query_count(world: World) -> None:
    client = verified_client(world.mash)
    url = f"/people/{world.case.person_id}/"
    # access (person with permission subquery), audit INSERT, cases, network links COUNT, panel referrals,
    # the child's referrals, every open clock about them, recent views, edit permission (user, group)
    assert count_queries(client, url) == SESSION_PAGE + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 2 + SESSION_SAVE


@pytest.mark.django_db
def test_case_detail_query_count(world: World) -> None:
    client = verified_client(world.mash)
    url = f"/cases/{world.case.pk}/"
    # access (1), audit INSERT, shares, object permissions for edit and share from one checker (2),
    # the case's clocks, their history
    assert count_queries(client, url) == SESSION_PAGE + 1 + 1 + 1 + 2 + 2 + SESSION_SAVE
