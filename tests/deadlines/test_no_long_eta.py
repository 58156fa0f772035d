"""Nothing may be scheduled more than CELERY_MAX_ETA_SECONDS ahead through the broker: with Redis, a task with a
long ETA lives in a worker's memory, comes back after the visibility timeout and vanishes in a flush. Clocks
live in PostgreSQL and the sweep finds them.

Two checks: publishing refuses a long countdown or ETA (against the real Redis broker), and a static scan of
the source finds no code that asks for one."""

import ast
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery import Task
from django.conf import settings

from safeguarding.celery import LongEtaRefused, app
from safeguarding.deadlines.tasks import deliver_outbox_messages, sweep_deadlines
from tests.deadlines.processes import redis_client

ROOT = Path(__file__).resolve().parent.parent.parent
SCANNED = ["safeguarding", "cases", "referrals", "panels", "audits"]
LIMIT = 60


@app.task(name="tests.deadlines.long_eta_probe")
def long_eta_probe() -> None:
    """Any task at all on the app, not only the deadline ones: the limit is the app's."""


QUEUES = ("celery", "deadlines-sweep")


def _queued_task_ids() -> set[str]:
    with redis_client() as client:
        return {json.loads(raw)["headers"]["id"] for queue in QUEUES for raw in client.lrange(queue, 0, -1)}


@pytest.fixture
def task_id() -> Iterator[str]:
    """A fresh id, and afterwards its message (if any was published) removed from the test broker."""
    ident = str(uuid.uuid4())
    yield ident
    with redis_client() as client:
        for queue in QUEUES:
            for raw in client.lrange(queue, 0, -1):
                if json.loads(raw)["headers"]["id"] == ident:
                    client.lrem(queue, 0, raw)


def test_the_limit_is_sixty_seconds() -> None:
    assert settings.CELERY_MAX_ETA_SECONDS == LIMIT


@pytest.mark.parametrize(
    "task", [deliver_outbox_messages, sweep_deadlines, long_eta_probe], ids=lambda t: t.name
)
def test_a_long_countdown_is_refused_and_nothing_is_published(task: Task, task_id: str) -> None:
    with pytest.raises(LongEtaRefused, match="scheduled 120 s ahead"):
        task.apply_async(
            args=[[1]] if task is deliver_outbox_messages else [], countdown=120, task_id=task_id
        )
    assert task_id not in _queued_task_ids()


@pytest.mark.parametrize("task", [deliver_outbox_messages, long_eta_probe], ids=lambda t: t.name)
def test_a_long_eta_is_refused_and_nothing_is_published(task: Task, task_id: str) -> None:
    with pytest.raises(LongEtaRefused):
        task.apply_async(
            args=[[1]] if task is deliver_outbox_messages else [],
            eta=datetime.now(UTC) + timedelta(hours=1),
            task_id=task_id,
        )
    assert task_id not in _queued_task_ids()


@pytest.mark.parametrize("task", [sweep_deadlines, long_eta_probe], ids=lambda t: t.name)
def test_a_short_countdown_is_allowed(task: Task, task_id: str) -> None:
    result = task.apply_async(countdown=30, task_id=task_id)
    assert result.id == task_id
    assert task_id in _queued_task_ids(), "the task was published to the Redis broker"


def test_the_delivery_tasks_retries_stay_within_the_limit() -> None:
    assert deliver_outbox_messages.retry_backoff
    assert deliver_outbox_messages.retry_backoff_max <= LIMIT


# ---- The static scan -------------------------------------------------------------------------------------------

_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}


def _literal_seconds(node: ast.AST) -> float | None:
    """Seconds for a number literal or a timedelta(...) of literals; None when not a literal."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _literal_seconds(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Add | ast.Sub):
        left, right = _literal_seconds(node.left), _literal_seconds(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Mult):
            return left * right
        return left + right if isinstance(node.op, ast.Add) else left - right
    if (
        isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == "timedelta"
    ):
        total = 0.0
        for keyword in node.keywords:
            value = _literal_seconds(keyword.value)
            if keyword.arg not in _UNITS or value is None:
                return None
            total += value * _UNITS[keyword.arg]
        if node.args:  # timedelta(days, seconds, ...)
            positional = [_literal_seconds(arg) for arg in node.args]
            if any(v is None for v in positional):
                return None
            total += sum(v * u for v, u in zip(positional, [86400, 1], strict=False) if v is not None)
        return total
    return None


def _largest_timedelta(node: ast.AST) -> float | None:
    """The largest literal timedelta anywhere in an expression such as `now() + timedelta(hours=2)`."""
    found = [_literal_seconds(n) for n in ast.walk(node) if isinstance(n, ast.Call)]
    values = [v for v in found if v is not None]
    return max(values) if values else None


def _task_decorator(function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.Call | None:
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call):
            name = getattr(decorator.func, "id", getattr(decorator.func, "attr", ""))
            if name in {"shared_task", "task"}:
                return decorator
    return None


def long_eta_violations(source: str, filename: str = "<source>") -> list[str]:
    """Every place in `source` that schedules further ahead than LIMIT seconds, as `file:line: what`."""
    tree = ast.parse(source, filename)
    problems: list[str] = []

    def flag(node: ast.AST, what: str) -> None:
        problems.append(f"{filename}:{getattr(node, 'lineno', '?')}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "countdown":
                    seconds = _literal_seconds(keyword.value)
                    if seconds is None:
                        seconds = _largest_timedelta(keyword.value)
                    if seconds is not None and seconds > LIMIT:
                        flag(node, f"countdown={seconds:g} s")
                elif keyword.arg == "eta":
                    seconds = _largest_timedelta(keyword.value)
                    if seconds is not None and seconds > LIMIT:
                        flag(node, f"eta {seconds:g} s ahead")
                elif keyword.arg in {"retry_backoff_max", "default_retry_delay"}:
                    seconds = _literal_seconds(keyword.value)
                    if seconds is not None and seconds > LIMIT:
                        flag(node, f"{keyword.arg}={seconds:g}")
        elif isinstance(node, ast.Assign):
            # Class-based tasks: `retry_backoff_max = 600` / `default_retry_delay = 300`.
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in {"retry_backoff_max", "default_retry_delay"}:
                    seconds = _literal_seconds(node.value)
                    if seconds is not None and seconds > LIMIT:
                        flag(node, f"{target.id} = {seconds:g}")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            decorator = _task_decorator(node)
            if decorator is None:
                continue
            options = {k.arg: k.value for k in decorator.keywords if k.arg}
            delay = (
                _literal_seconds(options["default_retry_delay"]) if "default_retry_delay" in options else None
            )
            # Celery's default retry delay is 180 s: a retry without backoff or an explicit short delay breaks
            # the limit.
            short_default = delay is not None and delay <= LIMIT
            if "autoretry_for" in options and "retry_backoff" not in options and not short_default:
                flag(decorator, "autoretry_for without retry_backoff retries after Celery's default 180 s")
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "retry"
                    and not {"countdown", "eta"} & {k.arg for k in call.keywords}
                    and not short_default
                ):
                    flag(call, "retry() without a countdown waits Celery's default 180 s")
    return problems


def _sources() -> list[Path]:
    files = [path for folder in SCANNED for path in (ROOT / folder).rglob("*.py")]
    return sorted(path for path in files if "migrations" not in path.parts)


def test_the_scan_covers_the_source_tree() -> None:
    files = {path.relative_to(ROOT).as_posix() for path in _sources()}
    assert "safeguarding/deadlines/tasks.py" in files
    assert len(files) > 30


def test_no_source_file_schedules_further_ahead_than_the_limit() -> None:
    problems = [
        problem
        for path in _sources()
        for problem in long_eta_violations(path.read_text(), path.relative_to(ROOT).as_posix())
    ]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "source",
    [
        "send.apply_async(args=[1], countdown=120)",
        "send.apply_async(countdown=61)",
        "send.apply_async(countdown=2 * 60 + 1)",
        "send.apply_async(countdown=timedelta(minutes=5).total_seconds())",
        "send.apply_async(eta=timezone.now() + timedelta(hours=2))",
        "send.apply_async(eta=now + datetime.timedelta(days=1))",
        "send.retry(exc=error, countdown=3600)",
        "@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600)\ndef t(): pass",
        "@shared_task(autoretry_for=(Exception,))\ndef t(): pass",
        "@shared_task(bind=True)\ndef t(self):\n    raise self.retry(exc=ValueError())",
        "class T(Task):\n    default_retry_delay = 300",
    ],
)
def test_the_scan_catches_long_schedules(source: str) -> None:
    assert long_eta_violations(source), source


@pytest.mark.parametrize(
    "source",
    [
        "send.apply_async(args=[1], countdown=30)",
        "send.apply_async(countdown=60)",
        "send.apply_async(eta=timezone.now() + timedelta(seconds=45))",
        "send.apply_async(countdown=delay)",
        "@shared_task(autoretry_for=(Exception,), retry_backoff=2, retry_backoff_max=60)\ndef t(): pass",
        "@shared_task(bind=True, default_retry_delay=10)\ndef t(self):\n    raise self.retry(exc=ValueError())",
        "@shared_task(bind=True)\ndef t(self):\n    raise self.retry(exc=ValueError(), countdown=5)",
        "deadline = timezone.now() + timedelta(hours=48)",
    ],
)
def test_the_scan_allows_short_schedules(source: str) -> None:
    assert long_eta_violations(source) == [], source
