"""Test set-up shared by every kind of test: Qt offscreen before Qt loads, a private data folder, and a guard that
fails any test in which Python opens a network socket."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Before anything imports Qt: no screen is needed, and nothing touches the real user's data folder.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["JOINTLEAD_DATA_DIR"] = tempfile.mkdtemp(prefix="jointlead-tests-")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data folder for tests that care what is in it (settings, demo, default database)."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("JOINTLEAD_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo service, built once per test run; tests take copies of it."""
    from jointlead.services.demo import create_demo_service
    from jointlead.store.database import create_database

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    database = create_database(path)
    create_demo_service(database)
    database.close()
    return path


@pytest.fixture
def demo_path(demo_master: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_master, copy)
    return copy


@pytest.fixture
def demo_db(request: pytest.FixtureRequest) -> Iterator:
    """The demo service: a copy of the file, or on the PostgreSQL variant a fresh database on the test server."""
    if ON_POSTGRESQL:
        yield from request.getfixturevalue("postgresql").database("demo")
        return
    from jointlead.store.database import open_database

    database = open_database(request.getfixturevalue("demo_path"))
    yield database
    database.close()


@pytest.fixture(scope="session")
def empty_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new, empty database, made once per test run as File > New makes one; tests take copies of it (making each
    afresh ran every migration again: about a second each, a quarter of the whole run)."""
    from jointlead.store.database import create_database

    path = tmp_path_factory.mktemp("empty") / "empty.sqlite"
    create_database(path).close()
    return path


@pytest.fixture
def empty_db(request: pytest.FixtureRequest) -> Iterator:
    """A new, empty database: a copy of the file, or on the PostgreSQL variant a fresh database on the test server."""
    if ON_POSTGRESQL:
        yield from request.getfixturevalue("postgresql").database("empty")
        return
    from jointlead.store.database import open_database

    copy = request.getfixturevalue("tmp_path") / "empty.sqlite"
    shutil.copyfile(request.getfixturevalue("empty_master"), copy)
    database = open_database(copy)
    yield database
    database.close()


# --- the PostgreSQL variant (issue 10) ---------------------------------------------------------------------------
#
# `JOINTLEAD_TEST_DATABASE=postgresql python -m pytest` runs every test that takes a database (demo_db, empty_db)
# against a PostgreSQL server this run starts on loopback (tests/postgresql_server.py), each test on a fresh database
# copied from a template: the same migrations and the same tests. Tests about the SQLite file itself (its lock,
# backups, integrity check, crash recovery) are marked `sqlite_only`; tests that take no database at all gain
# nothing from a second run, so both are left out of the variant. If no server can start, the variant is skipped
# with the reason, unless JOINTLEAD_REQUIRE_POSTGRESQL=1 (as CI sets) makes that a failure.

ON_POSTGRESQL = os.environ.get("JOINTLEAD_TEST_DATABASE", "sqlite").lower() == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not ON_POSTGRESQL:
        return
    kept, left_out = [], []
    for item in items:
        wanted = {"demo_db", "empty_db"} & set(getattr(item, "fixturenames", ()))
        (kept if wanted and item.get_closest_marker("sqlite_only") is None else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
    items[:] = kept


class TestServer:
    """The variant's server and its two templates: the empty schema, and the demo service built on the server."""

    def __init__(self, server) -> None:
        self.server = server
        self._count = 0
        self._templates: set[str] = set()

    def admin(self, sql: str, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(host=str(self.server.socket_folder), port=self.server.port, user="postgres",
                             dbname=dbname, autocommit=True) as connection:
            connection.execute(sql)

    def _template(self, kind: str) -> str:
        name = f"template_{kind}"
        if name not in self._templates:
            from jointlead.store.database import open_database

            self.admin(f"CREATE DATABASE {name}")
            database = open_database(self.server.url(name))
            try:
                if kind == "demo":
                    from jointlead.services.demo import create_demo_service

                    create_demo_service(database)
            finally:
                database.close()
            self._templates.add(name)
        return name

    def database(self, kind: str) -> Iterator:
        from jointlead.store.database import open_database

        template = self._template(kind)
        self._count += 1
        name = f"test_{self._count}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {template}")
        database = open_database(self.server.url(name))
        try:
            yield database
        finally:
            database.close()
            self.admin(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def empty_target(request: pytest.FixtureRequest) -> Iterator[Path | str]:
    """Somewhere empty for `jointlead copy` to fill: a new database on the variant's server, else a new file."""
    if not ON_POSTGRESQL:
        yield request.getfixturevalue("tmp_path") / "copy.sqlite"
        return
    server = request.getfixturevalue("postgresql")
    server.admin("CREATE DATABASE copy_target")
    try:
        yield server.server.url("copy_target")
    finally:
        server.admin("DROP DATABASE copy_target WITH (FORCE)")


@pytest.fixture(scope="session")
def postgresql() -> Iterator[TestServer]:
    from postgresql_server import Server, ServerUnavailable

    try:
        server = Server.start()
    except ServerUnavailable as reason:
        if os.environ.get("JOINTLEAD_REQUIRE_POSTGRESQL") == "1":
            pytest.fail(f"the PostgreSQL variant must run here, but: {reason}", pytrace=False)
        pytest.skip(f"no PostgreSQL server could be started: {reason}")
    try:
        yield TestServer(server)
    finally:
        server.stop()


# --- the socket guard: jointlead never uses the network (issue 9), and the whole suite proves it ---------------------
#
# Every way Python code opens a socket or looks a name up is replaced for the whole run: socket.socket (so also
# create_connection, create_server, urllib, http.client, smtplib...), socket.socketpair and the name look-ups. A refused
# call raises NetworkUsed, which is deliberately not an OSError, so code that copes with a network failure cannot
# swallow it; and it is recorded, so the test in which it happened fails at teardown even if something caught it.
#
# One thing is allowed: a connected pair of AF_UNIX sockets (socket.socketpair on Linux and macOS). It is how
# multiprocessing's duplex Pipe() is made, and the workbook reader talks to its child process through one
# (exchange/reading.py, _Reader). It is a pair of file descriptors in this process that the child inherits: nothing
# outside the machine (or even outside the two processes) can reach it. On Windows Pipe() uses named pipes, and
# socket.socketpair is a loopback TCP connection there, so it is refused like any other socket.
#
# What a Python-level guard cannot see: sockets opened by C or C++ code, such as Qt's own (QNetworkAccessManager,
# QLocalSocket, the D-Bus connection on Linux) or SQLite's. jointlead's build leaves QtNetwork out
# (installer/jointlead.spec), and installer/smoke.sh watches the frozen app's system calls with strace, where that
# is installed, to show that it opens no socket but that AF_UNIX pair.


class NetworkUsed(Exception):
    """A test opened a network socket or looked up a host name."""


class SocketGuard:
    """Replaces the socket module's ways out for as long as it is installed, and remembers every attempt."""

    NetworkUsed = NetworkUsed

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self._originals: dict[str, Any] = {}

    def refuse(self, what: str) -> NetworkUsed:
        where = "".join(traceback.format_stack(limit=14)[:-2])
        self.attempts.append(f"{what}\n{where}")
        return NetworkUsed(f"{what}: jointlead must never use the network, and neither may its tests")

    def install(self) -> None:
        guard = self
        original_socket = socket.socket

        class GuardedSocket(original_socket):
            def __init__(self, family: int = -1, type: int = -1, proto: int = -1, fileno: int | None = None) -> None:
                # Only the wrapping of an AF_UNIX socket that already exists: what socketpair() does with its ends.
                if fileno is None or family != socket.AF_UNIX:
                    raise guard.refuse(f"socket.socket(family={family!r}, type={type!r})")
                super().__init__(family, type, proto, fileno)

        original_socketpair = socket.socketpair

        def socketpair(family: int | None = None, type: int = socket.SOCK_STREAM, proto: int = 0):
            if family not in (None, getattr(socket, "AF_UNIX", None)) or not hasattr(socket, "AF_UNIX"):
                raise guard.refuse(f"socket.socketpair(family={family!r})")
            return original_socketpair(socket.AF_UNIX, type, proto)

        def refusing(name: str) -> Callable[..., Any]:
            def refused(*args: Any, **_kwargs: Any) -> Any:
                raise guard.refuse(f"socket.{name}{args!r}")

            return refused

        # socket.fromfd and accept() build their sockets through socket.socket, so they are guarded too.
        replacements: dict[str, Any] = {"socket": GuardedSocket, "socketpair": socketpair}
        for name in ("create_connection", "create_server", "getaddrinfo", "gethostbyname", "gethostbyname_ex",
                     "gethostbyaddr", "getnameinfo", "getfqdn"):
            replacements[name] = refusing(name)
        for name, replacement in replacements.items():
            self._originals[name] = getattr(socket, name)
            setattr(socket, name, replacement)

    def uninstall(self) -> None:
        for name, original in self._originals.items():
            setattr(socket, name, original)
        self._originals.clear()

    @contextlib.contextmanager
    def expecting_refusals(self) -> Iterator[list[str]]:
        """For the guard's own tests: the attempts made inside are handed over instead of failing the test."""
        before = len(self.attempts)
        seen: list[str] = []
        try:
            yield seen
        finally:
            seen.extend(self.attempts[before:])
            del self.attempts[before:]


@pytest.fixture(scope="session", autouse=True)
def socket_guard() -> Iterator[SocketGuard]:
    """No socket for the whole run (see above); the guard itself, for tests that check it."""
    guard = SocketGuard()
    guard.install()
    yield guard
    guard.uninstall()


@pytest.fixture(autouse=True)
def _fail_the_test_that_used_the_network(socket_guard: SocketGuard) -> Iterator[None]:
    before = len(socket_guard.attempts)
    yield
    attempts = socket_guard.attempts[before:]
    if attempts:
        pytest.fail(f"this test tried to use the network {len(attempts)} time(s); the first:\n{attempts[0]}",
                    pytrace=False)
