"""A throwaway PostgreSQL server for the suite's PostgreSQL variant: Debian's own binaries, a private data folder,
listening on loopback only, gone when the run ends."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SERVER_OPTIONS = (
    # Durability is the server's business in real use; a test cluster that vanishes at the end needs none of it.
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c listen_addresses=127.0.0.1 -c max_connections=200"
)


class ServerUnavailable(Exception):
    """Why no server could be started (the variant is then skipped, saying this)."""


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ServerUnavailable("PostgreSQL's server programs are not installed (Debian: apt-get install postgresql)")


def _as_server_user() -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as Debian's postgres user."""
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser") is None:
        raise ServerUnavailable("running as root without runuser, and PostgreSQL refuses to run as root")
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError as error:
        raise ServerUnavailable("running as root and there is no postgres user to run the server as") from error
    return ["runuser", "-u", "postgres", "--"]


class Server:
    """`Server.start()` initialises a cluster in a temporary folder and starts it; `stop()` removes it all."""

    def __init__(self, folder: Path, port: int, prefix: list[str], binaries: Path) -> None:
        self.folder = folder
        self.port = port
        self._prefix = prefix
        self._binaries = binaries

    @property
    def socket_folder(self) -> Path:
        return self.folder / "socket"

    def url(self, database: str) -> str:
        # Through the Unix socket beside the cluster: libpq connects from C, and no TCP port of the machine's is used.
        return f"postgresql://postgres@/{database}?host={self.socket_folder}&port={self.port}"

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self._prefix, *arguments], capture_output=True, text=True, timeout=120, check=False)

    @classmethod
    def start(cls) -> Server:
        binaries = _binaries()
        prefix = _as_server_user()
        folder = Path(tempfile.mkdtemp(prefix="jointlead-postgresql-"))
        (folder / "socket").mkdir()
        if prefix:
            shutil.chown(folder, "postgres")
            shutil.chown(folder / "socket", "postgres")
        server = cls(folder, 0, prefix, binaries)
        init = server.run(str(binaries / "initdb"), "-D", str(folder / "data"), "-U", "postgres", "--auth=trust",
                          "--encoding=UTF8", "--locale=C")
        if init.returncode:
            server.remove()
            raise ServerUnavailable(f"initdb failed: {(init.stderr or init.stdout).strip()[-300:]}")
        last = ""
        for attempt in range(8):  # a port another run holds makes the start fail: try the next few
            server.port = 55400 + (os.getpid() + attempt * 37) % 2000
            started = server.run(str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"),
                                 "-w", "-t", "60", "start",
                                 "-o", f"-p {server.port} -k {folder / 'socket'} {SERVER_OPTIONS}")
            if started.returncode == 0:
                return server
            last = (started.stderr or started.stdout).strip()
        log_tail = (folder / "log").read_text(errors="replace")[-400:] if (folder / "log").exists() else ""
        server.remove()
        raise ServerUnavailable(f"pg_ctl could not start the server: {last[-300:]} {log_tail}")

    def stop(self) -> None:
        self.run(str(self._binaries / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        self.remove()

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
