"""The node side of a hub restored from a backup (docs/protocol.md "Hand-back").

What a node keeps: every bucket change it pulled (exact bytes, `_pulled`) and the signed
manifest of every pull (`_pulled_manifests`), for `KEEP_MS` (30 days) after the pull —
a restore from a backup up to that old loses nothing any node pulled; and which rows each
bucket brought (`_row_buckets`), so that a re-pull can tell which rows HQ no longer has.

What a round does with it (sync/node_sync.py calls these, hello → here → push → pull):

1. **Detect**: hello's head of a bucket is behind our cursor, or at our cursor with
   another hash; or HQ's chain is longer but does not continue from our head (a pull
   probe of one change, only when we have work to push; else the pull finds it). Then
   HQ lost changes we pulled: it was restored, and may have written new ones since.
2. **Hand back** (before our own push, so that HQ judges our re-sent work against its
   recovered rows): the kept tail from where HQ's chain still equals ours, in requests
   that each end on a signed manifest. HQ checks and re-applies what it lost
   (sync/recovery.py); a refusal or a hub without the extension (404) does not stop
   the round: what HQ did not take is lost, and step 3 makes the replica say so.
3. **Rebuild**: pull the bucket again from 0, taking HQ's values as authoritative (local
   writes HQ has not acknowledged still wait, as in every pull), and at the end remove
   every row the bucket had brought that HQ no longer sends — the rows that no node could
   give back — recording each in `_lost` with the reason, for the outlet's words."""
import json

from shared.tables import TABLES
from sync import merge, segment
from sync.canonical import canonical_bytes
from sync.errors import BadSegment, ChainGap, SyncError

KEEP_MS = 30 * 24 * 3600 * 1000      # how long a node keeps what it pulled
PRUNE_EVERY_MS = 3600 * 1000         # pruning is a scan: at most once an hour
BUDGET = segment.MAX_BYTES - 64 * 1024  # a hand-back's changes, leaving room for its header
LOST_REASON = "hq_restored"


class Diverged(BadSegment):
    """HQ's chain of a bucket does not continue from our cursor: HQ holds another history
    after some point (restored from a backup, then wrote new changes)."""


def create_tables(c) -> None:
    """Node migration 3: the pulled changes kept for a hand-back, the rows each bucket
    brought, a bucket being pulled again after HQ's restore, and the rows that were lost."""
    c.execute("""CREATE TABLE IF NOT EXISTS _pulled (bucket TEXT, epoch INTEGER, seq INTEGER,
        hash TEXT NOT NULL, body BLOB NOT NULL, pulled_at INTEGER, PRIMARY KEY (bucket, epoch, seq))""")
    c.execute("""CREATE TABLE IF NOT EXISTS _pulled_manifests (bucket TEXT, epoch INTEGER,
        last INTEGER, line BLOB NOT NULL, pulled_at INTEGER, PRIMARY KEY (bucket, epoch, last))""")
    c.execute("""CREATE TABLE IF NOT EXISTS _row_buckets (bucket TEXT, tbl TEXT, row_id TEXT,
        PRIMARY KEY (bucket, tbl, row_id))""")
    c.execute("""CREATE TABLE IF NOT EXISTS _rebuild (bucket TEXT PRIMARY KEY, started_at INTEGER,
        handed_back INTEGER, outcome TEXT)""")
    c.execute("""CREATE TABLE IF NOT EXISTS _rebuild_seen (bucket TEXT, tbl TEXT, row_id TEXT,
        PRIMARY KEY (bucket, tbl, row_id))""")
    c.execute("""CREATE TABLE IF NOT EXISTS _lost (tbl TEXT, row_id TEXT, bucket TEXT, label TEXT,
        reason TEXT, row_json TEXT, at INTEGER, PRIMARY KEY (tbl, row_id))""")


def migrate(c) -> None:
    """Node migration 3: the tables, and every bucket pulled once more from the start so
    that `_row_buckets` knows the rows already held (applying HQ's changes again is a no-op)."""
    create_tables(c)
    c.execute("DELETE FROM _cursors")


# ---- inside apply_pull's transaction ----

def rebuilding(c, bucket: str) -> bool:
    return c.execute("SELECT 1 FROM _rebuild WHERE bucket = ?", (bucket,)).fetchone() is not None


def keep(store, c, bucket: str, m: dict, sig: str, lines: list[bytes], changes) -> None:
    """Keep a verified pull: its changes, its signed manifest, the rows it touched."""
    if not lines:
        return
    now = store.clock.wall_now()
    c.executemany("INSERT OR REPLACE INTO _pulled (bucket, epoch, seq, hash, body, pulled_at) VALUES (?,?,?,?,?,?)",
                  [(bucket, m["epoch"], ch["seq"], h, line, now) for (h, ch), line in zip(changes, lines, strict=True)])
    c.execute("INSERT OR REPLACE INTO _pulled_manifests (bucket, epoch, last, line, pulled_at) VALUES (?,?,?,?,?)",
              (bucket, m["epoch"], m["last"], canonical_bytes({"manifest": m, "sig": sig}), now))
    rows = {(bucket, op["table"], op["id"]) for _, ch in changes for op in ch["ops"]}
    c.executemany("INSERT OR IGNORE INTO _row_buckets (bucket, tbl, row_id) VALUES (?,?,?)", rows)
    if rebuilding(c, bucket):
        c.executemany("INSERT OR IGNORE INTO _rebuild_seen (bucket, tbl, row_id) VALUES (?,?,?)", rows)
    last_prune = int(store.meta_get("pulled_pruned_at", 0) or 0)
    if now - last_prune > PRUNE_EVERY_MS:
        for table in ("_pulled", "_pulled_manifests"):
            c.execute(f"DELETE FROM {table} WHERE pulled_at < ?", (now - KEEP_MS,))
        store.meta_set("pulled_pruned_at", now)


# ---- detection (before the push) ----

def hub_lost(store, bucket: str, info: dict) -> bool:
    """From hello alone: HQ's chain ends before our cursor, or at it with another head."""
    epoch, seq, head = store.cursor(bucket)
    if not seq:
        return False
    if info.get("epoch") != epoch:
        return True
    held = info.get("seq", 0)
    return held < seq or (held == seq and info.get("head") != head)


def diverged(store, transport, bucket: str, info: dict) -> bool:
    """HQ's chain is longer than our cursor: does it go on from our head? One pull of one
    change answers (its manifest's `prev` is HQ's hash at our cursor)."""
    epoch, seq, head = store.cursor(bucket)
    if not seq or info.get("epoch") != epoch or info.get("seq", 0) <= seq:
        return False
    try:
        m, _, _ = segment.split(transport.pull(bucket, seq, 1))
    except ChainGap:
        return True
    return m.get("prev") != head


def before_push(store, transport, hello: dict, result, will_push: bool = True) -> None:
    """Hand back before our push when hello shows HQ lost what we pulled. The probe of a
    longer chain costs a request, so it is made only when we have work to push (whose
    judgement the hand-back must precede); otherwise the pull finds it (Diverged)."""
    for bucket in store.buckets:
        info = (hello.get("buckets") or {}).get(bucket)
        if isinstance(info, dict) and (hub_lost(store, bucket, info)
                                       or (will_push and diverged(store, transport, bucket, info))):
            recover(store, transport, bucket, info, result)


# ---- hand back, then pull again ----

def recover(store, transport, bucket: str, info: dict | None, result) -> None:
    """Hand back what we kept beyond HQ's chain, then start pulling the bucket again."""
    handed, outcome = 0, "none"
    send = getattr(transport, "handback", None)  # a transport without the extension only re-pulls
    if send is not None:
        for body in handback_bodies(store, bucket, info or {}):
            try:
                answer = send(bucket, body)
            except SyncError as exc:  # refused, or a hub without the extension: the rest is lost
                outcome = exc.code
                break
            handed += int(answer.get("recovered", 0))
            outcome = answer.get("outcome", "recovered")
            if outcome == "unlinked":
                break
    result.handed_back += handed
    start_rebuild(store, bucket, handed, outcome)


def handback_bodies(store, bucket: str, info: dict):
    """The kept tail as hand-back bodies, each ending on a change whose signed manifest we
    hold. From where HQ's chain still equals ours when hello shows it, else all we kept
    (HQ skips what it holds)."""
    epoch, _, _ = store.cursor(bucket)
    with store.read() as c:
        start = 1
        held = info.get("seq", 0) if info.get("epoch") == epoch else 0
        if held:
            row = c.execute("SELECT hash FROM _pulled WHERE bucket=? AND epoch=? AND seq=?",
                            (bucket, epoch, held)).fetchone()
            if row is not None and row[0] == info.get("head"):
                start = held + 1
        rows = [(r[0], bytes(r[1])) for r in c.execute(
            "SELECT seq, body FROM _pulled WHERE bucket=? AND epoch=? AND seq >= ? ORDER BY seq",
            (bucket, epoch, start))]
        proofs = {r[0]: bytes(r[1]) for r in c.execute(
            "SELECT last, line FROM _pulled_manifests WHERE bucket=? AND epoch=? AND last >= ?",
            (bucket, epoch, start))}
    for i in range(1, len(rows)):  # only a contiguous run can be proved
        if rows[i][0] != rows[i - 1][0] + 1:
            rows = rows[:i]
            break
    i = 0
    while i < len(rows):
        end, size = None, 0
        for j in range(i, min(len(rows), i + segment.MAX_CHANGES)):
            size += len(rows[j][1]) + 1
            if size > BUDGET:
                break
            if rows[j][0] in proofs:
                end = j
        if end is None:
            return  # nothing more we can prove
        part = rows[i:end + 1]
        header = {"handback": {"v": 1, "bucket": bucket, "epoch": epoch, "first": part[0][0],
                               "last": part[-1][0], "count": len(part)},
                  "proof": json.loads(proofs[part[-1][0]])}
        yield b"\n".join([canonical_bytes(header), *(b for _, b in part)]) + b"\n"
        i = end + 1


def start_rebuild(store, bucket: str, handed_back: int, outcome: str) -> None:
    with store.tx() as c:
        c.execute("DELETE FROM _cursors WHERE bucket = ?", (bucket,))
        c.execute("DELETE FROM _pulled WHERE bucket = ?", (bucket,))
        c.execute("DELETE FROM _pulled_manifests WHERE bucket = ?", (bucket,))
        c.execute("DELETE FROM _rebuild_seen WHERE bucket = ?", (bucket,))
        c.execute("INSERT OR REPLACE INTO _rebuild (bucket, started_at, handed_back, outcome) VALUES (?,?,?,?)",
                  (bucket, store.clock.wall_now(), handed_back, outcome))


def finish_rebuild(store, bucket: str) -> int:
    """The bucket was pulled again to HQ's head: remove the rows it had brought that HQ
    did not send again (unless a local write of them waits for HQ, or another bucket
    brings them). Returns how many rows were removed."""
    with store.read() as c:  # the usual round: nothing to finish, no write transaction
        if not rebuilding(c, bucket):
            return 0
    with store.tx() as c:
        if not rebuilding(c, bucket):
            return 0
        gone = c.execute("SELECT tbl, row_id FROM _row_buckets r WHERE bucket = ? AND NOT EXISTS"
                         " (SELECT 1 FROM _rebuild_seen s WHERE s.bucket = r.bucket AND s.tbl = r.tbl"
                         " AND s.row_id = r.row_id)", (bucket,)).fetchall()
        removed = 0
        now = store.clock.wall_now()
        for tbl, row_id in gone:
            c.execute("DELETE FROM _row_buckets WHERE bucket = ? AND tbl = ? AND row_id = ?", (bucket, tbl, row_id))
            spec = TABLES.get(tbl)
            if spec is None or _kept_elsewhere(c, bucket, tbl, row_id):
                continue
            row = merge.load(c, spec, row_id)
            if row is None:
                continue
            c.execute(f"DELETE FROM [{tbl}] WHERE id = ?", (row_id,))
            c.execute("INSERT OR REPLACE INTO _lost (tbl, row_id, bucket, label, reason, row_json, at)"
                      " VALUES (?,?,?,?,?,?,?)", (tbl, row_id, bucket, _label(row), LOST_REASON,
                                                  json.dumps(dict(row), ensure_ascii=False, default=str), now))
            removed += 1
        c.execute("DELETE FROM _rebuild_seen WHERE bucket = ?", (bucket,))
        c.execute("DELETE FROM _rebuild WHERE bucket = ?", (bucket,))
    return removed


def _kept_elsewhere(c, bucket: str, tbl: str, row_id: str) -> bool:
    """Another bucket brings the row, or a write of ours to it waits for HQ."""
    return c.execute("SELECT 1 FROM _row_buckets WHERE tbl = ? AND row_id = ? AND bucket != ?",
                     (tbl, row_id, bucket)).fetchone() is not None or c.execute(
        "SELECT 1 FROM _pending WHERE tbl = ? AND row_id = ?", (tbl, row_id)).fetchone() is not None


def _label(row) -> str:
    return str(row.get("number") or row.get("period") or row.get("name") or row["id"])


def lost(store) -> list[dict]:
    """Rows that disappeared with HQ's restore, newest first."""
    from sync.store import dict_rows
    with store.read() as c:
        return dict_rows(c.execute("SELECT * FROM _lost ORDER BY at DESC, tbl, label"))
