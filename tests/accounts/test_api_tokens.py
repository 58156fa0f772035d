import pytest
from django.core.management import call_command
from django.test import Client

from safeguarding.accounts.models import ApiToken, token_digest
from tests.conftest import World


@pytest.mark.django_db
def test_issue_api_token_prints_the_token_last_and_stores_only_its_hash(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("issue_api_token", "alice")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert raw.startswith("rch_") and len(raw) > 40
    stored = ApiToken.objects.get(user=world.mash)
    assert stored.digest == token_digest(raw)
    assert raw not in {stored.digest, stored.prefix, stored.name}
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/people/")
    assert response.status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None


@pytest.mark.django_db
def test_unknown_and_revoked_tokens_are_401(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert Client(HTTP_AUTHORIZATION="Bearer rch_nope").get("/api/v1/people/").status_code == 401
    call_command("issue_api_token", "alice")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    ApiToken.objects.filter(user=world.mash).update(revoked_at="2026-01-01T00:00:00Z")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/people/").status_code == 401


@pytest.mark.django_db
def test_issue_api_token_for_unknown_user_fails_clearly() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No active user"):
        call_command("issue_api_token", "nobody")


@pytest.mark.django_db
def test_openapi_schema_is_served_to_api_clients(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("issue_api_token", "alice")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "/api/v1/cases/" in response.json()["paths"]
