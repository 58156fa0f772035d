"""The API as documented: schemathesis generates requests from the OpenAPI schema the project serves
(/api/schema/) and sends them, signed in with a MASH practitioner's token, to the real application and
database; every response, 400, 404, 409 and 422 included, must be one the schema documents, with the body,
status and content type it documents, and never a server error. Bounded and seeded (derandomized), so a
failure repeats."""

import json
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from safeguarding.accounts.services import api_token_issue
from tests.conftest import World, world_referral

# The same document /api/schema/ serves, made without a request (no database at collection time).
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = WSGIHandler()

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def token(world: World) -> Iterator[str]:
    world_referral(world)  # something for the reads to find
    _, raw = api_token_issue(user=world.mash, name="schemathesis")
    # As Django's test client does: a request must not close the test's connection (and its transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield raw
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_answers_as_its_schema_says(case: schemathesis.Case, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


@pytest.mark.django_db
def test_the_schema_tested_is_the_one_served(world: World) -> None:
    _, raw = api_token_issue(user=world.mash, name="schema")
    served = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/schema/", {"format": "json"})
    assert served.status_code == 200
    assert json.loads(served.content)["paths"] == schema.raw_schema["paths"]
