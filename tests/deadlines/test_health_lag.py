"""/healthz makes a dead beat or worker visible: the oldest overdue running clock and the oldest undelivered
escalation are reported, and turn the check 503 past their limits."""

import subprocess
from datetime import timedelta

import pytest
from django.test import Client, override_settings

from safeguarding.deadlines.models import Deadline, OutboxMessage
from safeguarding.deadlines.services import now_from_database
from tests.conftest import World
from tests.deadlines.conftest import let_time_pass, start_clock
from tests.test_health import celery_worker_process  # noqa: F401  (fixture)


def _health() -> tuple[int, dict]:
    """The detailed answer, which needs the monitoring token (an anonymous caller sees only up or down)."""
    with override_settings(HEALTHZ_TOKEN="monitoring-token-for-tests"):
        response = Client().get(
            "/healthz", HTTP_ACCEPT="application/json", HTTP_AUTHORIZATION="Bearer monitoring-token-for-tests"
        )
    return response.status_code, response.json()


def _check(body: dict, name: str) -> str:
    return next(value for key, value in body.items() if key.startswith(name))


@pytest.mark.process
@pytest.mark.django_db
def test_healthy_engine_reports_zero_lag(world: World, celery_worker_process: subprocess.Popen) -> None:  # noqa: F811
    status, body = _health()
    assert status == 200, body
    assert body["measurements"] == {
        "oldest_overdue_running_clock_seconds": 0.0,
        "oldest_undelivered_outbox_seconds": 0.0,
    }
    assert _check(body, "RedisNoEviction") == "OK"


# Health checks run in worker threads with their own connections: the rows must be committed.
@pytest.mark.django_db(transaction=True)
@override_settings(DEADLINES_HEALTH_MAX_OVERDUE_SECONDS=30)
def test_overdue_running_clock_turns_healthz_503(world: World) -> None:
    clock = start_clock(world, ago=timedelta(minutes=10))
    let_time_pass(clock, timedelta(minutes=51))  # due a minute ago and no sweep has run: beat is "dead"
    status, body = _health()
    assert status == 503
    assert 55 < body["measurements"]["oldest_overdue_running_clock_seconds"] < 120
    assert "is beat running?" in _check(body, "OverdueClocks")


@pytest.mark.django_db(transaction=True)
@override_settings(DEADLINES_HEALTH_MAX_UNDELIVERED_SECONDS=60)
def test_undelivered_escalation_turns_healthz_503(world: World) -> None:
    clock = start_clock(world, ago=timedelta(hours=2))  # breached at once: an outbox row
    message = OutboxMessage.objects.get(deadline=clock)
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=now_from_database() - timedelta(minutes=5))
    status, body = _health()
    assert status == 503
    assert body["measurements"]["oldest_undelivered_outbox_seconds"] >= 300
    assert "are the workers running?" in _check(body, "UndeliveredOutbox")
    assert Deadline.objects.filter(pk=clock.pk, status="breached").exists()
