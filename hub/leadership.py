"""Which hub process runs HQ's scheduled jobs (hub/jobs.py): exactly one at a time, and
another within a minute when that one dies.

- On SQLite there is one hub process: it leads (`Sole`).
- On PostgreSQL every `hub serve` process runs the scheduler, but a job does its work only
  in the process holding the jobs' advisory lock (`PgLeadership`): a session-level lock on a
  connection of that process's own, so it lasts exactly as long as the process's session.
  A process that does not lead tries to take it every POLL_S seconds; the leader checks its
  connection as often. A leader killed (kill -9, its machine gone) loses its session and
  the lock with it: the server sees a closed socket at once, a silent machine within about
  25 s (the session's TCP keepalives: probes after 10 s idle, 3 of them 5 s apart); the next
  standby to poll takes over, so the jobs move within a minute. A leader whose connection
  broke (PostgreSQL restarted) stops leading at its next check and polls like the others.
- The lock is separate from the write lock (sync/pg_store.py WRITE_LOCK): holding it never
  blocks a write. The connection's `application_name` names the process, so every process
  can say who leads (/readyz)."""
import os
import socket
import threading
from collections.abc import Callable

import psycopg

POLL_S = 10.0
JOBS_LOCK = (0x66737963, 2)  # the two-int advisory lock key: ("fsyc", 2)
KEEPALIVES = ("SET tcp_keepalives_idle = 10", "SET tcp_keepalives_interval = 5", "SET tcp_keepalives_count = 3")


def this_process() -> str:
    return f"fieldsync-hub {socket.gethostname()} pid {os.getpid()}"


class Sole:
    """One hub process (SQLite): it leads while it runs."""

    def start(self, on_lead: Callable[[], None]) -> None:
        on_lead()

    def leading(self) -> bool:
        return True

    def leader(self) -> str:
        return "this process"

    def stop(self) -> None:
        pass


class PgLeadership:
    """The jobs' advisory lock on the hub's PostgreSQL database (see the module docstring)."""

    def __init__(self, url: str, poll_s: float = POLL_S, name: str | None = None):
        self.url, self.poll_s, self.name = url, poll_s, name or this_process()
        self._conn: psycopg.Connection | None = None
        self._leading = False
        self._on_lead: Callable[[], None] = lambda: None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self, on_lead: Callable[[], None]) -> None:
        """Try at once (the first process leads from its start), then every poll_s."""
        self._on_lead = on_lead
        self.check()
        self._thread = threading.Thread(target=self._run, name="fieldsync-jobs-leadership", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            self.check()

    def check(self) -> None:
        took_over = False
        with self._lock:
            try:
                if self._conn is None or self._conn.closed or self._conn.broken:
                    self._conn = self._connect()
                if self._leading:
                    self._conn.execute("SELECT 1")
                else:
                    row = self._conn.execute("SELECT pg_try_advisory_lock(%s, %s)", JOBS_LOCK).fetchone()
                    took_over = self._leading = bool(row and row[0])
            except psycopg.Error:
                self._leading = False  # the session (and the lock with it) is gone
                self._drop()
        if took_over:
            self._on_lead()

    def _connect(self) -> psycopg.Connection:
        conn = psycopg.connect(self.url, autocommit=True, application_name=self.name, connect_timeout=10)
        for sql in KEEPALIVES:
            conn.execute(sql)
        return conn

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg.Error:
                pass
            self._conn = None

    def leading(self) -> bool:
        return self._leading

    def leader(self) -> str:
        """'this process', the leading process's name, or that none leads right now."""
        if self._leading:
            return "this process"
        with self._lock:  # on the leadership's own connection: a probe every few seconds opens none
            try:
                if self._conn is None or self._conn.closed or self._conn.broken:
                    self._conn = self._connect()
                row = self._conn.execute(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                    " WHERE l.locktype = 'advisory' AND l.classid::bigint = %s AND l.objid::bigint = %s"
                    " AND l.objsubid = 2 AND l.granted", JOBS_LOCK).fetchone()
            except psycopg.Error:
                self._drop()
                return "unknown (the database cannot be reached)"
        return row[0] if row else f"none right now (a process takes over within {int(self.poll_s)} s)"

    def stop(self) -> None:
        """Stop polling and leave the lead (closing the session releases the lock)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.poll_s + 5)
        with self._lock:
            self._leading = False
            self._drop()


def leadership_for(hub) -> Sole | PgLeadership:
    """The leadership that goes with the hub's store."""
    if getattr(hub, "dialect", "sqlite") == "postgres":
        return PgLeadership(hub.url)
    return Sole()
