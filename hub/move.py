"""Moving a hub from its SQLite file into PostgreSQL, and back (`fieldsync hub migrate`).

What moves: everything in hub.db — the hub id, every table, every chain byte for byte — and
the attachments under blobs/ (into `hub_blobs`). The key, the TLS certificate and the
directory stay: the nodes know the hub by its URL, certificate and key, so they go on
syncing without re-enrolling, offline work included (the hub they reach holds exactly what
the file held: their chains' heads, their buckets' cursors, the clock).

Why it is safe (docs/operations.md, "Moving a hub to PostgreSQL"):
- Nothing runs on the directory meanwhile: `hub serve` and the admin commands hold its lock
  shared (hub/home.py `in_use`), the move takes it exclusively; and it holds SQLite's write
  lock on the file from the copy until the file is marked moved.
- The copy is one PostgreSQL transaction: killed midway, nothing of it stays. It goes into
  an empty database, or over an earlier unfinished copy of this same hub (never over
  another hub), and is verified before it commits: every table's row count, both chain
  tables byte for byte, the nodes' and buckets' heads, the blobs. It commits marked
  retired (`copy`): nothing serves it yet.
- The switch runs in an order where a crash leaves at most one store that serves: the file
  is marked retired (`moved`: `hub serve` on it refuses from here, wherever it is copied);
  the database's mark is lifted; the directory's `database` file is written atomically;
  hub.db is renamed hub.db.moved-to-postgresql. Run again, the move resumes where it stopped.
- `--undo` goes back while the database has taken no new work (every table's count as in
  the file, no new blob): the database is marked retired (`back`), the file unmarked and
  renamed hub.db, `database` removed. Once nodes have pushed to PostgreSQL going back would
  lose their work: refused. Before the switch, undo only unmarks the file; the unfinished
  copy stays retired (drop that database, or move into it again)."""
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hub.home import RETIRED, HubHome, retired
from hub.services import kb_answers
from shared.errors import ServiceError
from shared.private_files import write_private
from sync.hlc import now_ms
from sync.hub_store import HubStore
from sync.keys import SigningKey
from sync.migrations import create_pg, schema_of, without_password
from sync.pg_hub_store import HUB_BLOBS_DDL, open_hub_store
from sync.pg_store import WRITE_LOCK, PgConn, connect, is_postgres_url

MIGRATED_FROM = "migrated_from"  # `_meta` key of the copy: which hub, from which file, when
CHAINS = {"node_changes": ("origin", "epoch", "seq"), "bucket_changes": ("bucket", "epoch", "seq")}
HEADS = {"nodes": "node_id", "buckets": "bucket"}  # compared row by row: every chain's head
# The search index and its work list are derived from kb_articles: rebuilt, not compared.
DERIVED = (*kb_answers.INDEX_TABLES, "hq_kb_dirty")
Fault = Callable[[str], None]  # tests: called at each step's name, raises to interrupt there


@dataclass
class Moved:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied
    blobs: int = 0
    resumed: bool = False  # an interrupted switch was finished


def _never(_step: str) -> None:
    pass


def _mark(state: str, where: str) -> str:
    return json.dumps({"state": state, "where": where, "at": now_ms()})


# ---- the move ----

def migrate(home: HubHome, url: str, say: Callable[[str], None] = print, fault: Fault = _never) -> Moved:
    """Copy the SQLite hub in `home` into the PostgreSQL database at `url` and point the
    directory at it (see the module's docstring); run again, it resumes or does nothing."""
    if not is_postgres_url(url):
        raise ServiceError.of("hub_db_url")
    with home.moving():
        if home.on_postgres:
            return _after_switch(home, url, say)
        if not home.exists():
            raise ServiceError.of("no_hub", dir=str(home.dir))
        src = HubStore(home.db, key=SigningKey.load(home.key))
        try:
            mark = retired(src)
            if mark is not None and mark["state"] == "moved":  # the switch began: finish it
                if mark["where"] != without_password(url):
                    raise ServiceError.of("hub_move_target", where=mark["where"])
                return _switch(home, src, url, Moved(resumed=True), say, fault)
            src.conn.execute("BEGIN IMMEDIATE")  # no writer until the file is marked moved
            try:
                moved = _copy(home, src, url, say, fault)
                src.meta_set(RETIRED, _mark("moved", without_password(url)))
                fault("file marked")
                src.conn.execute("COMMIT")
            except BaseException:
                src.conn.execute("ROLLBACK")
                raise
            return _switch(home, src, url, moved, say, fault)
        finally:
            src.close()


def _after_switch(home: HubHome, url: str, say) -> Moved:
    """The directory points at PostgreSQL already: the same database (a move interrupted
    after the switch is finished), or another one (refused)."""
    where = without_password(str(home.location))
    if where != without_password(url):
        raise ServiceError.of("hub_on_postgres", dir=str(home.dir), where=where)
    _go_live(home, str(home.location))
    if home.db.exists():
        _retire_file(home)
    say(f"the hub in {home.dir} is on {where}")
    return Moved(resumed=True)


def _switch(home: HubHome, src: HubStore, url: str, moved: Moved, say, fault: Fault) -> Moved:
    target = connect(url)
    try:
        copy = _meta(target, MIGRATED_FROM) if "_meta" in _pg_tables(target) else None
        if copy is None or json.loads(copy)["hub_id"] != src.hub_id:
            raise ServiceError.of("hub_move_lost_copy", where=without_password(url))
    finally:
        target.raw.close()
    partial = home.database.with_name("database.part")
    write_private(partial, url.encode())
    os.replace(partial, home.database)  # the directory points at the copy, still retired
    fault("directory switched")
    _go_live(home, url)  # from here the hub serves on PostgreSQL
    fault("database live")
    src.close()
    _retire_file(home)
    say(f"the hub in {home.dir} now runs on {without_password(url)}; {home.moved_db.name} is kept for --undo")
    return moved


def _go_live(home: HubHome, url: str) -> None:
    """Lift the copy's mark. A database moved back by `--undo` stays retired: an undo
    interrupted before its end is finished by running it again."""
    target = connect(url)
    try:
        mark = _meta(target, RETIRED)
        if mark is not None and json.loads(mark)["state"] == "back":
            raise ServiceError.of("hub_retired_back", where=json.loads(mark)["where"], dir=str(home.dir))
        target.execute("DELETE FROM _meta WHERE key = ?", (RETIRED,))
    finally:
        target.raw.close()


def _retire_file(home: HubHome) -> None:
    """hub.db, marked moved (if it is not yet), renamed out of the way; SQLite's -wal and
    -shm are gone once its last connection closed."""
    store = HubStore(home.db, key=SigningKey.load(home.key))
    try:
        if retired(store) is None:
            with store.tx():
                store.meta_set(RETIRED, _mark("moved", without_password(str(home.location))))
    finally:
        store.close()
    os.replace(home.db, home.moved_db)


# ---- the copy: one PostgreSQL transaction ----

def _copy(home: HubHome, src: HubStore, url: str, say, fault: Fault) -> Moved:
    target = connect(url)
    c = target
    try:
        c.execute("BEGIN")
        c.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
        _make_room(c, src.hub_id, say)
        create_pg(c, schema_of("hub"))
        c.execute(HUB_BLOBS_DDL)
        pg_tables = _pg_tables(c)
        c.execute("TRUNCATE " + ", ".join(_q(t) for t in pg_tables if t != "_schema_version"))
        tables = _sqlite_tables(src)
        _same_shape(src, c, tables, pg_tables)
        moved = Moved()
        for t in tables:
            c.execute(f"ALTER TABLE {_q(t)} DISABLE TRIGGER USER")  # the rows are copied, not made
            moved.rows[t] = _copy_table(src, c, t)
            c.execute(f"ALTER TABLE {_q(t)} ENABLE TRIGGER USER")
            say(f"copied {t}: {moved.rows[t]} rows")
            fault(f"copied {t}")
        _advance_identities(c, tables)
        moved.blobs = _copy_blobs(home.blobs, c)
        say(f"copied {moved.blobs} attachments")
        _verify(src, c, moved, home.blobs)
        say("verified: every table's rows, the chains byte for byte, the heads, the attachments")
        kb_answers.reindex_all(c)
        c.execute("INSERT OR REPLACE INTO _meta (key, value) VALUES (?, ?)", (MIGRATED_FROM, json.dumps(
            {"hub_id": src.hub_id, "file": str(home.db), "at": now_ms()})))
        c.execute("INSERT OR REPLACE INTO _meta (key, value) VALUES (?, ?)",
                  (RETIRED, _mark("copy", str(home.db))))
        fault("verified")
        c.raw.execute("COMMIT")
        return moved
    except BaseException:
        if not c.raw.closed and not c.raw.broken:
            c.raw.execute("ROLLBACK")
        raise
    finally:
        target.raw.close()


def _make_room(c: PgConn, hub_id: str, say) -> None:
    """An empty database, or one holding an unfinished copy of this hub (replaced); a
    database holding anything else is refused."""
    existing = _pg_tables(c)
    if not existing:
        return
    copy = _meta(c, MIGRATED_FROM) if "_meta" in existing else None
    mark = _meta(c, RETIRED) if "_meta" in existing else None
    if copy is None or json.loads(copy)["hub_id"] != hub_id or mark is None or json.loads(mark)["state"] != "copy":
        raise ServiceError.of("hub_db_in_use")
    say("replacing an unfinished copy of this hub")
    c.execute("DROP TABLE " + ", ".join(_q(t) for t in existing) + " CASCADE")


def _sqlite_tables(src: HubStore) -> list[str]:
    """The file's tables but SQLite's own, FTS5's and the derived search index."""
    names = [r[0] for r in src.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    fts = {r[0] for r in src.conn.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")}
    return [n for n in names if n not in fts and not any(n.startswith(f + "_") for f in fts)
            and n not in kb_answers.INDEX_TABLES]


def _pg_tables(c: PgConn) -> list[str]:
    return [r[0] for r in c.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                    "ORDER BY tablename")]


def _sqlite_columns(src: HubStore, table: str) -> list[str]:
    return [r[1] for r in src.conn.execute(f"PRAGMA table_info({_q(table)})")]


def _pg_columns(c: PgConn, table: str) -> dict[str, str]:
    """name -> data type (the search index's `tsv` left out: it is derived)."""
    return {name: typ for name, typ in c.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = ?", (table,)) if name != "tsv"}


def _same_shape(src: HubStore, c: PgConn, tables: list[str], pg_tables: list[str]) -> None:
    missing = [t for t in tables if t not in pg_tables]
    if missing:
        raise ServiceError.of("hub_move_schema", what="tables only in the file: " + ", ".join(missing))
    for t in tables:
        mine, theirs = set(_sqlite_columns(src, t)), set(_pg_columns(c, t))
        if mine != theirs:
            raise ServiceError.of("hub_move_schema", what=f"{t}: file {sorted(mine - theirs)}, "
                                                          f"database {sorted(theirs - mine)}")


def _copy_table(src: HubStore, c: PgConn, table: str) -> int:
    cols = _sqlite_columns(src, table)
    binary = [typ == "bytea" for typ in (_pg_columns(c, table)[col] for col in cols)]
    listed = ", ".join(_q(col) for col in cols)
    n = 0
    with c.raw.cursor().copy(f"COPY {_q(table)} ({listed}) FROM STDIN") as out:
        for row in src.conn.execute(f"SELECT {listed} FROM {_q(table)}"):
            out.write_row([v.encode() if b and isinstance(v, str) else v for v, b in zip(row, binary, strict=True)])
            n += 1
    return n


def _advance_identities(c: PgConn, tables: list[str]) -> None:
    """An `INTEGER PRIMARY KEY` is an identity column here: its next value follows the
    copied rows (else the next refusal or fork alert would take an id already used)."""
    for table, col in c.execute("SELECT table_name, column_name FROM information_schema.columns WHERE "
                                "table_schema = current_schema() AND is_identity = 'YES'").fetchall():
        if table in tables:
            c.execute(f"SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX({_q(col)}), 0) + 1, false) "
                      f"FROM {_q(table)}", (_q(table), col))


def _blob_files(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("??/*") if len(p.name) == 64 and p.parent.name == p.name[:2])


def _copy_blobs(root: Path, c: PgConn) -> int:
    files = _blob_files(root)
    with c.raw.cursor().copy("COPY hub_blobs (sha256, data) FROM STDIN") as out:
        for path in files:
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != path.name:
                raise ServiceError.of("hub_move_blob", sha=path.name)
            out.write_row((path.name, data))
    return len(files)


# ---- verification, inside the copy's transaction ----

def _verify(src: HubStore, c: PgConn, moved: Moved, blobs: Path) -> None:
    wrong = []
    for t, n in moved.rows.items():
        theirs = c.execute(f"SELECT COUNT(*) FROM {_q(t)}").fetchone()[0]
        mine = src.conn.execute(f"SELECT COUNT(*) FROM {_q(t)}").fetchone()[0]
        if not mine == n == theirs:
            wrong.append(f"{t}: {mine} rows in the file, {theirs} copied")
    for t, key in CHAINS.items():
        if _chain_digest(src.conn, t, key) != _chain_digest(c, t, key):
            wrong.append(f"{t}: the chains differ")
    for t, key in HEADS.items():
        sql = f"SELECT {', '.join(_q(col) for col in _sqlite_columns(src, t))} FROM {t} ORDER BY {key}"
        if [tuple(r) for r in src.conn.execute(sql)] != [tuple(r) for r in c.execute(sql)]:
            wrong.append(f"{t}: the heads differ")
    if c.execute("SELECT COUNT(*) FROM hub_blobs").fetchone()[0] != len(_blob_files(blobs)):
        wrong.append("attachments")
    if wrong:
        raise ServiceError.of("hub_move_mismatch", what="; ".join(wrong))


def _chain_digest(conn, table: str, key: tuple[str, ...]) -> str:
    """SHA-256 over every change of the table in key order: place, hash and body bytes."""
    h = hashlib.sha256()
    cols = ", ".join(key)
    for row in _stream(conn, f"SELECT {cols}, hash, body FROM {table} ORDER BY {cols}"):
        *place, digest, body = row
        h.update(json.dumps([*place, digest]).encode())
        h.update(len(bytes(body)).to_bytes(8, "big"))
        h.update(bytes(body))
    return h.hexdigest()


def _stream(conn, sql: str):
    """The rows as they come: SQLite's cursor does; on PostgreSQL a server-side cursor (in
    the copy's transaction), so millions of changes are never all in memory."""
    if isinstance(conn, PgConn):
        with conn.raw.cursor(name="fieldsync_move") as cur:
            cur.itersize = 2000
            cur.execute(sql)
            yield from cur
    else:
        yield from conn.execute(sql)


# ---- undo ----

def undo(home: HubHome, say: Callable[[str], None] = print) -> None:
    """Back to the SQLite file (see the module's docstring)."""
    with home.moving():
        if not home.on_postgres:
            if not home.exists():
                raise ServiceError.of("no_hub", dir=str(home.dir))
            src = HubStore(home.db, key=SigningKey.load(home.key))
            try:
                if retired(src) is not None:
                    with src.tx():
                        src.conn.execute("DELETE FROM _meta WHERE key = ?", (RETIRED,))
                    say(f"the move was stopped before the switch: the hub in {home.dir} runs on hub.db again "
                        "(the unfinished copy in PostgreSQL stays retired)")
                else:
                    say(f"nothing to undo: the hub in {home.dir} runs on hub.db")
            finally:
                src.close()
            return
        old = home.moved_db if home.moved_db.exists() else home.db
        if not old.exists():
            raise ServiceError.of("hub_undo_no_file", dir=str(home.dir))
        url = str(home.location)
        key = SigningKey.load(home.key)
        src = HubStore(old, key=key)
        try:
            target = open_hub_store(url, key=key)
            try:
                if retired(target) is None:
                    _nothing_new(src, target, home.blobs)
                    with target.tx():
                        target.meta_set(RETIRED, _mark("back", str(home.db)))
            finally:
                target.close()
            with src.tx():
                src.conn.execute("DELETE FROM _meta WHERE key = ?", (RETIRED,))
        finally:
            src.close()
        if old != home.db:
            os.replace(old, home.db)
        home.database.unlink()
        say(f"the hub in {home.dir} runs on hub.db again; the database {without_password(url)} is retired")


def _nothing_new(src: HubStore, target: HubStore, blobs: Path) -> None:
    """Refuse the undo when the database holds anything the file does not."""
    differ = []
    for t in _sqlite_tables(src):
        if t == "_meta" or t in DERIVED:
            continue
        mine = src.conn.execute(f"SELECT COUNT(*) FROM {_q(t)}").fetchone()[0]
        theirs = target.conn.execute(f"SELECT COUNT(*) FROM {_q(t)}").fetchone()[0]
        if mine != theirs:
            differ.append(f"{t} {mine} → {theirs}")
    held = target.conn.execute("SELECT COUNT(*) FROM hub_blobs").fetchone()[0]
    if held != len(_blob_files(blobs)):
        differ.append(f"attachments {len(_blob_files(blobs))} → {held}")
    if differ:
        raise ServiceError.of("hub_undo_new_work", what=", ".join(differ))


def _meta(c: PgConn, key: str) -> str | None:
    row = c.execute("SELECT value FROM _meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
