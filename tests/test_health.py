"""/healthz against the real PostgreSQL, Redis and a real Celery worker process (not eager mode)."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client, override_settings

from safeguarding.celery import app

ROOT = Path(__file__).resolve().parent.parent


def _worker_answers() -> bool:
    return bool(app.control.ping(timeout=0.5))


@pytest.fixture
def celery_worker_process() -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "safeguarding.settings.test"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "safeguarding",
            "worker",
            "--pool=solo",
            "-l",
            "warning",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"healthz-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while not _worker_answers():
        assert process.poll() is None, "the Celery worker exited during start-up"
        assert time.monotonic() < deadline, "the Celery worker did not answer a ping within 30 s"
    yield process
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.process
@pytest.mark.django_db
def test_healthz_is_200_with_database_redis_and_a_worker(
    celery_worker_process: subprocess.Popen[bytes],
) -> None:
    response = Client().get("/healthz", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "up"}


@pytest.mark.django_db
def test_healthz_is_503_without_a_worker() -> None:
    if _worker_answers():
        pytest.fail("a Celery worker is already running against the test broker; stop it")
    response = Client().get("/healthz", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    # An anonymous caller learns only that it is down; the monitoring token shows which check failed.
    assert response.json() == {"status": "down"}
    with override_settings(HEALTHZ_TOKEN="monitoring-token-for-tests"):
        assert "Celery" not in Client().get("/healthz", HTTP_AUTHORIZATION="Bearer wrong").content.decode()
        detailed = Client().get(
            "/healthz", HTTP_ACCEPT="application/json", HTTP_AUTHORIZATION="Bearer monitoring-token-for-tests"
        )
    assert detailed.status_code == 503 and "Celery" in detailed.content.decode()


def test_check_deploy_is_clean_under_production_settings() -> None:
    # The browser tests allow async-unsafe ORM calls in this process; production must not inherit that.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "safeguarding.settings.production",
        "DJANGO_SECRET_KEY": "x" * 30 + "-a-long-random-looking-secret-for-the-deploy-check-1234",
        "DJANGO_ALLOWED_HOSTS": "reachable.example.gov.uk",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
