"""Real Celery worker and beat processes for the deadline tests: no eager mode, no fake broker.

The processes run the test settings against the pytest test database (whatever pytest-django named it) and
the test Redis database, and write mail to files so tests can count what was really sent. Tests that use
them need `@pytest.mark.django_db(transaction=True)`: the processes see only committed rows."""

import base64
import email
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from safeguarding.celery import app

ROOT = Path(__file__).resolve().parent.parent.parent
SWEEP_DONE = re.compile(r"sweep_deadlines\[[0-9a-f-]+\] succeeded")


def wait_until(
    condition: Callable[[], Any], *, timeout: float, message: str | Callable[[], str], interval: float = 0.1
) -> Any:
    """Poll until `condition()` is truthy and return its value; fail after `timeout` seconds."""
    give_up = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > give_up:
            pytest.fail(message() if callable(message) else message)
        time.sleep(interval)


def database_url_for_subprocesses() -> str:
    """The URL of the database this pytest run really uses (pytest-django's test database)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


def django_subprocess_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a child Python process running the test settings against this run's test database
    and test Redis database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("REACHABLE_TEST_") and key not in {"DATABASE_URL", "CELERY_BROKER_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "safeguarding.settings.test",
            "DATABASE_URL": database_url_for_subprocesses(),
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "PYTHONUNBUFFERED": "1",
            **(extra or {}),
        }
    )
    return env


def redis_client() -> "redis.Redis[bytes]":
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


def flush_test_redis() -> None:
    """Empty the test Redis database (broker queues, unacked messages, results, cache): FLUSHDB, not FLUSHALL,
    so other databases on a shared Redis are left alone. The broker, result backend and cache all live in
    this one database, so for this application it loses exactly what a FLUSHALL would."""
    with redis_client() as client:
        client.flushdb()


def queued_messages() -> int:
    with redis_client() as client:
        return int(client.llen("celery"))


def queued_outbox_ids() -> set[int]:
    """Outbox ids carried by the delivery tasks waiting in the broker (each task carries a batch)."""
    ids: set[int] = set()
    with redis_client() as client:
        for raw in client.lrange("celery", 0, -1):
            message = json.loads(raw)
            if message["headers"]["task"] != "safeguarding.deadlines.tasks.deliver_outbox_messages":
                continue
            args = json.loads(base64.b64decode(message["body"]))[0]
            ids.update(args[0])
    return ids


@dataclass
class Process:
    name: str
    popen: "subprocess.Popen[bytes]"
    log_path: Path
    nodename: str = ""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill_hard(self) -> None:
        """kill -9: no warm shutdown, no acknowledgement, no cleanup."""
        if self.alive:
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        if not self.alive:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)


@dataclass
class CeleryProcesses:
    """Starts and stops worker and beat processes; everything started is stopped at teardown."""

    tmp_path: Path
    mail_dir: Path
    started: list[Process] = field(default_factory=list)
    sweep_interval: float = 1.0
    redispatch_after: int = 3

    def _env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return django_subprocess_env(
            {
                "REACHABLE_TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "REACHABLE_TEST_EMAIL_FILE_PATH": str(self.mail_dir),
                "DEADLINES_SWEEP_INTERVAL_SECONDS": str(self.sweep_interval),
                "DEADLINES_REDISPATCH_AFTER_SECONDS": str(self.redispatch_after),
                **(extra or {}),
            }
        )

    def _spawn(self, name: str, args: list[str], extra_env: dict[str, str] | None) -> Process:
        log_path = self.tmp_path / f"{name}.log"
        with log_path.open("ab") as log:
            popen = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "safeguarding", *args],
                cwd=ROOT,
                env=self._env(extra_env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        process = Process(name, popen, log_path)
        self.started.append(process)
        return process

    def start_worker(self, name: str = "worker", *, extra_env: dict[str, str] | None = None) -> Process:
        """A solo-pool worker (the task runs in the process we can kill -9), started and answering pings."""
        nodename = f"{name}-{uuid.uuid4().hex[:8]}"
        process = self._spawn(
            name,
            [
                "worker",
                "--pool=solo",
                "-l",
                "info",
                "-n",
                f"{nodename}@%h",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
            ],
            extra_env,
        )

        def answers() -> bool:
            assert process.alive, f"{name} exited during start-up:\n{process.log()[-4000:]}"
            replies = app.control.ping(timeout=0.5)
            return any(nodename in key for reply in replies for key in reply)

        wait_until(
            answers, timeout=45, message=lambda: f"{name} did not answer a ping:\n{process.log()[-4000:]}"
        )
        process.nodename = nodename
        return process

    def start_beat(self, *, wait_for_sweep: bool = True) -> Process:
        """Beat on a fresh schedule file. By default waits until a worker has run a sweep it sent."""
        before = self.sweeps_done()
        process = self._spawn(
            "beat",
            [
                "beat",
                "-l",
                "info",
                "--schedule",
                str(self.tmp_path / f"beat-schedule-{uuid.uuid4().hex[:8]}"),
            ],
            None,
        )
        if wait_for_sweep:

            def swept() -> bool:
                assert process.alive, f"beat exited during start-up:\n{process.log()[-4000:]}"
                return self.sweeps_done() > before

            wait_until(swept, timeout=45, message=lambda: f"no sweep ran after beat started\n{self.logs()}")
        return process

    def sweeps_done(self) -> int:
        return sum(len(SWEEP_DONE.findall(p.log())) for p in self.started if p.name != "beat")

    def wait_for_sweeps(self, count: int = 1, timeout: float = 20) -> None:
        """Wait until `count` more sweeps have finished in a worker (so everything due now has been seen)."""
        target = self.sweeps_done() + count
        wait_until(
            lambda: self.sweeps_done() >= target,
            timeout=timeout,
            message=lambda: f"{count} sweeps did not run within {timeout} s\n{self.logs()}",
        )

    def logs(self, tail: int = 3000) -> str:
        return "\n".join(f"----- {p.name} -----\n{p.log()[-tail:]}" for p in self.started)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            process.stop()

    # Mail written by the filebased backend: one file per connection, messages separated by a dashed line.
    def emails(self) -> list[Message]:
        messages = []
        for path in sorted(self.mail_dir.glob("*")):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk))
        return messages

    def emails_by_recipient_and_subject(self) -> Counter[tuple[str, str]]:
        return Counter((str(m["To"]), str(m["Subject"])) for m in self.emails())

    def emails_by_delivery(self) -> Counter[str]:
        return Counter(str(m["X-Reachable-Delivery"]) for m in self.emails())


@contextmanager
def celery_processes(tmp_path: Path) -> Iterator[CeleryProcesses]:
    """Use from a fixture that depends on `transactional_db`, so the processes stop before the database is
    flushed. The test Redis database is emptied before and after."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    flush_test_redis()
    processes = CeleryProcesses(tmp_path=tmp_path, mail_dir=mail_dir)
    try:
        yield processes
    finally:
        processes.stop_all()
        # pytest shows captured output only for a failed test.
        print(processes.logs(tail=6000))
        flush_test_redis()
