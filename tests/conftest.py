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
def demo_db(demo_path: Path) -> Iterator:
    from jointlead.store.database import open_database

    database = open_database(demo_path)
    yield database
    database.close()


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator:
    from jointlead.store.database import create_database

    database = create_database(tmp_path / "empty.sqlite")
    yield database
    database.close()


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
