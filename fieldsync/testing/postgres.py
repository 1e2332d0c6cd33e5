"""A private, throwaway PostgreSQL for tests and benches: Debian's server binaries
(/usr/lib/postgresql/15/bin, package `postgresql`), a cluster made by initdb in a temporary
directory, reached only through a unix socket in that directory (no TCP port, no password),
durability switched off (a test database is thrown away). Run as root, the server runs as
the `postgres` user (PostgreSQL refuses root).

One server serves a whole test session; each test gets its own database, copied from a
template (`CREATE DATABASE … TEMPLATE`, a file copy: much faster than building a schema)."""
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

BIN = Path(os.environ.get("FIELDSYNC_PG_BIN", "/usr/lib/postgresql/15/bin"))
INSTALL = "apt-get install -y postgresql (make test installs it when run as root: tools/system-packages)"


class PostgresMissing(RuntimeError):
    pass


def available() -> bool:
    return (BIN / "initdb").exists() and (BIN / "pg_ctl").exists()


class PostgresServer:
    def __init__(self, root: Path | None = None):
        if not available():
            raise PostgresMissing(f"PostgreSQL's server binaries are not in {BIN}: {INSTALL}")
        self.root = Path(root or tempfile.mkdtemp(prefix="fieldsync-pg-"))
        self.data = self.root / "data"
        self.socket = self.root
        self._as_postgres = os.geteuid() == 0
        self.user = "postgres"
        self.started = False

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> "PostgresServer":
        if self._as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
        self._run(str(BIN / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        options = (f"-k {self.socket} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB")
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start")
        self.started = True
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@/{database}?host={self.socket}"

    def create_database(self, template: str | None = None, name: str | None = None) -> str:
        """A new empty database (or a copy of `template`, which must have no connections);
        returns its URL."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def restart(self) -> None:
        """Stop and start again (connections drop): a database that went away for a moment."""
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "restart")

    def stop(self) -> None:
        if self.started:
            self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)


def database_name(url: str) -> str:
    return url.split("/", 3)[3].split("?", 1)[0]


_SESSION: PostgresServer | None = None


def session_server() -> PostgresServer:
    """The one server of this test session, started on first use (the `postgres` fixture
    and the convergence machine share it); `stop_session_server` ends it."""
    global _SESSION
    if _SESSION is None:
        _SESSION = PostgresServer().start()
    return _SESSION


def stop_session_server() -> None:
    global _SESSION
    if _SESSION is not None:
        _SESSION.stop()
        _SESSION = None
