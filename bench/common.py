"""What every benchmark here needs: logging, percentiles, environment knobs, a database of its own, signal
handling that still cleans up, and writing its own section of docs/benchmarks.md."""

import contextlib
import math
import os
import re
import signal
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
# Names for the generated people of the benchmarks (synthetic: no one real).
GIVEN = [
    "Tyler",
    "Kai",
    "Jayden",
    "Callum",
    "Kyle",
    "Liam",
    "Jordan",
    "Connor",
    "Nathan",
    "Kieran",
    "Leah",
    "Megan",
]
GIVEN += ["Courtney", "Shannon", "Jade"]
FAMILY = ["Smith", "Jones", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Roberts", "Johnson"]
FAMILY += ["Walker", "Wright", "Okafor", "Mensah"]


class BenchFailed(RuntimeError):
    """The run itself failed (not a missed target)."""


def log(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, "") or default)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: the smallest value with at least p% of the values at or below it."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def admin_connection() -> Any:
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname="postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )
    conn.autocommit = True
    return conn


def database_recreate(name: str) -> None:
    conn = admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def database_drop(name: str) -> None:
    from django.db import connections

    connections.close_all()
    conn = admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


@contextlib.contextmanager
def terminated_by_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP unwind like Ctrl-C, so the finally blocks stop the processes and drop the database."""

    def handler(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def doc_write_section(title: str, section: str) -> None:
    """Replace the section headed `title` in docs/benchmarks.md (or add it), leaving the others alone."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\nFigures from the benchmarks in bench/.\n\n"
    start = text.find(title + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        following = re.search(r"^## ", text[start + len(title) :], re.MULTILINE)
        end = start + len(title) + following.start() if following else len(text)
        text = text[:start] + section + ("\n" + text[end:] if following else "")
    DOC.write_text(text.rstrip("\n") + "\n")


def machine_info(**extra: str) -> dict[str, str]:
    """What a benchmark ran on, for its docs/benchmarks.md section: the date, the commit (and whether the work
    tree had other changes: the benchmarks' own doc does not count, every run rewrites it), the CPU, memory,
    kernel, PostgreSQL, Python, Django and the load average; `extra` adds what a benchmark also depends on."""
    import platform
    import subprocess

    import django
    from django.db import connection

    def first(pattern: str, text: str) -> str:
        match = re.search(pattern, text, re.MULTILINE)
        return match.group(1).strip() if match else "unknown"

    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    kib = first(r"^MemTotal:\s+(\d+)", meminfo)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", f":!{DOC.relative_to(ROOT)}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit, changed = "unknown", ""
    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "commit": f"{commit} (plus uncommitted changes)" if commit and changed else commit or "unknown",
        "cpu": first(r"^model name\s*:\s*(.+)$", cpuinfo),
        "nproc": str(os.cpu_count() or 1),
        "memory": f"{int(kib) / 1024 / 1024:.0f} GiB" if kib.isdigit() else "unknown",
        "kernel": platform.release(),
        "postgres": postgres,
        "python": platform.python_version(),
        "django": django.get_version(),
        **extra,
        "load": " ".join(f"{value:.2f}" for value in os.getloadavg()),
    }
