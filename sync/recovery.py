"""HQ restored from a backup takes back its own lost writes from the nodes (the hub side of
`POST /sync/handback`, docs/protocol.md "Hand-back").

A node keeps the bucket changes it pulled and the signed manifests that came with them
(sync/handback.py). When HQ's chain of a bucket ends before, or differs from, what the
node pulled, the node sends that tail back. HQ takes only what it can prove it wrote:

- the last line's hash must be the `head` of a pull manifest signed by the hub key for
  this bucket and epoch (a manifest HQ signed before the restore: the key was backed up
  with hub.db), and every line's `prev` must be the hash of the line before it: by the
  hash chain, every line is byte for byte a change HQ signed;
- the first change HQ does not hold must link to one it does hold (its chain, or a change
  already recovered): recovery never leaves a hole in the middle of the history.

A hand-back that fails a check is refused whole (400 `bad_segment`, 401 `bad_signature`)
and recorded for HQ's restore report; nothing of it is applied. A tail that does not link
(the node kept too little, or HQ was restored from a backup older than what nodes keep)
is answered `unlinked` and recorded: what lies between is lost.

Accepted changes are re-applied in chain order, in one transaction, op by op with their
original clocks (`hlc`, `src`): field-level last-writer-wins makes a second node handing
back the same changes a no-op, and `recovered_changes` (the changes by their original
place and hash) lets a later tail link onto them. What won is relayed into the bucket
chains as any hub write is, so every replica gets it again. `recovered_changes` keeps each
recovered change's exact bytes, beside `node_changes`, for audit: a row that came back
this way traces to HQ's own signed chain."""
from dataclasses import dataclass

from shared.tables import TABLES
from sync import keys, merge, relay, segment
from sync.canonical import ZERO_HASH, canonical_bytes, loads_untrusted, sha256_hex
from sync.change import check_change, decode_change, is_hash
from sync.errors import BadRequest, BadSegment, BadSignature, Forbidden, SyncError, TooLarge
from sync.hlc import now_ms
from sync.hub_store import HubStore
from sync.store import dict_rows


def create_tables(c) -> None:
    """Hub migration 4: what was recovered (by its original place in the chain) and every
    hand-back, accepted or not, for HQ's restore report."""
    c.execute("""CREATE TABLE IF NOT EXISTS recovered_changes (bucket TEXT, epoch INTEGER,
        seq INTEGER, hash TEXT, node_id TEXT, ops INTEGER, at INTEGER, body BLOB NOT NULL,
        PRIMARY KEY (bucket, epoch, seq, hash))""")
    c.execute("""CREATE TABLE IF NOT EXISTS recovered_writes (src TEXT, hlc INTEGER, tbl TEXT,
        row_id TEXT, PRIMARY KEY (src, hlc, tbl, row_id))""")
    c.execute("""CREATE TABLE IF NOT EXISTS handbacks (id INTEGER PRIMARY KEY, at INTEGER,
        node_id TEXT, bucket TEXT, epoch INTEGER, first INTEGER, last INTEGER,
        outcome TEXT NOT NULL, recovered INTEGER NOT NULL DEFAULT 0,
        duplicate INTEGER NOT NULL DEFAULT 0, held_seq INTEGER, detail TEXT)""")


# Outcomes of one hand-back, as HQ's report words them (hub/services/restore_report.py).
RECOVERED, DUPLICATE, UNLINKED, REFUSED = "recovered", "duplicate", "unlinked", "refused"


@dataclass(frozen=True, slots=True)
class HandBack:
    bucket: str
    epoch: int
    first: int
    proof: dict        # {"manifest": {...}, "sig": "..."}: a pull manifest HQ signed
    lines: list[bytes]


def parse(body: bytes) -> HandBack:
    """Line 1 `{"handback": {"v", "bucket", "epoch", "first", "last", "count"},
    "proof": {"manifest", "sig"}}`, then the changes' exact bytes in seq order."""
    if len(body) > segment.MAX_BYTES:
        raise TooLarge(f"a hand-back is at most {segment.MAX_BYTES} bytes")
    lines = body.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) < 2:
        raise BadRequest("a hand-back is its header line and at least one change")
    if len(lines) - 1 > segment.MAX_CHANGES:
        raise TooLarge(f"a hand-back carries at most {segment.MAX_CHANGES} changes")
    try:
        head = loads_untrusted(lines[0])
    except ValueError:
        raise BadRequest("the hand-back header is not valid JSON") from None
    hb = head.get("handback") if isinstance(head, dict) else None
    proof = head.get("proof") if isinstance(head, dict) else None
    if not isinstance(hb, dict) or not isinstance(proof, dict) or not isinstance(proof.get("manifest"), dict):
        raise BadRequest('line 1 must be {"handback": {...}, "proof": {"manifest": {...}, "sig": "..."}}')
    if not isinstance(proof.get("sig"), str):
        raise BadSignature("the hand-back's proof is not signed")
    raw = [hb.get(k) for k in ("epoch", "first", "last", "count")]
    ints = [v for v in raw if isinstance(v, int) and not isinstance(v, bool) and v >= 1]
    if hb.get("v") != 1 or not isinstance(hb.get("bucket"), str) or len(ints) != 4:
        raise BadRequest("handback needs v 1, a bucket and integers epoch, first, last, count ≥ 1")
    epoch, first, last, count = ints
    if count != len(lines) - 1 or last - first + 1 != count:
        raise BadSegment("handback first/last/count do not match the lines sent")
    return HandBack(hb["bucket"], epoch, first, proof, lines[1:])


def receive(hub: HubStore, node_id: str, body: bytes) -> dict:
    """`POST /sync/handback`: check a node's hand-back and re-apply what HQ lost of it. A
    node hands back only buckets it may read."""
    from sync.hub_handlers import authenticated, node_buckets
    node = authenticated(hub, node_id)
    hb = parse(body)
    if hb.bucket not in node_buckets(node):
        raise Forbidden(f"this node may not read bucket {hb.bucket!r}")
    try:
        changes = _verify(hub, hb)
        return _apply(hub, node["node_id"], hb, changes)
    except SyncError as exc:
        if isinstance(exc, (BadSegment, BadSignature)) or exc.code == "bad_change":
            _record(hub, node["node_id"], hb, REFUSED, detail=f"{exc.code}: {exc}")
        raise


def _verify(hub: HubStore, hb: HandBack) -> list[tuple[str, dict, bytes]]:
    """The proof's signature, then every line's place and link, then the head."""
    m = hb.proof["manifest"]
    if m.get("v") != 1 or m.get("hub") != hub.hub_id or m.get("bucket") != hb.bucket \
            or m.get("epoch") != hb.epoch or m.get("last") != hb.first + len(hb.lines) - 1 \
            or not is_hash(m.get("head")):
        raise BadSegment("the proof is not HQ's manifest for this bucket, epoch and last change")
    keys.verify(hub.key.public_b64, keys.BUCKET, canonical_bytes(m), hb.proof["sig"])
    out, prev = [], None
    for i, line in enumerate(hb.lines):
        ch = decode_change(line)
        h = sha256_hex(line)
        if prev is not None and ch.get("prev") != prev:
            raise BadSegment(f"handed-back change {hb.first + i} does not chain to the one before: altered")
        check_change(ch, origin=relay.bucket_origin(hb.bucket), epoch=hb.epoch, seq=hb.first + i,
                     prev=str(ch.get("prev")), any_schema=True)
        out.append((h, ch, line))
        prev = h
    if prev != m["head"]:
        raise BadSegment("the last handed-back change is not the one HQ signed: altered")
    return out


def _known(c, bucket: str, epoch: int, seq: int, h: str) -> bool:
    """HQ holds this very change (its chain) or recovered it before."""
    if seq == 0:
        return h == ZERO_HASH
    row = c.execute("SELECT 1 FROM bucket_changes WHERE bucket=? AND epoch=? AND seq=? AND hash=?",
                    (bucket, epoch, seq, h)).fetchone()
    return row is not None or c.execute(
        "SELECT 1 FROM recovered_changes WHERE bucket=? AND epoch=? AND seq=? AND hash=?",
        (bucket, epoch, seq, h)).fetchone() is not None


def _apply(hub: HubStore, node_id: str, hb: HandBack, changes) -> dict:
    now = now_ms()
    recovered = duplicate = 0
    with hub.tx() as c:
        new: list[tuple[str, dict, bytes]] = []
        for h, ch, line in changes:
            if not new and _known(c, hb.bucket, hb.epoch, ch["seq"], h):
                duplicate += 1  # HQ holds it, or another node handed it back already
                continue
            new.append((h, ch, line))
        if new and not _known(c, hb.bucket, hb.epoch, new[0][1]["seq"] - 1, new[0][1]["prev"]):
            outcome = UNLINKED
            new = []
        else:
            outcome = RECOVERED if new else DUPLICATE
        out = relay.Relay()
        for h, ch, line in new:
            _reapply(hub, c, ch["ops"], out)
            c.execute("INSERT INTO recovered_changes (bucket, epoch, seq, hash, node_id, ops, at, body)"
                      " VALUES (?,?,?,?,?,?,?,?)",
                      (hb.bucket, hb.epoch, ch["seq"], h, node_id, len(ch["ops"]), now, line))
            recovered += 1
        hub.finish(c, out)
        held = relay.head_of(c, hb.bucket)
        _insert(c, now, node_id, hb, outcome, recovered, duplicate, held[1], None)
    return {"bucket": hb.bucket, "outcome": outcome, "recovered": recovered, "duplicate": duplicate,
            "have": {"epoch": held[0], "seq": held[1], "head": held[2]}}


def _reapply(hub: HubStore, c, ops: list[dict], out: relay.Relay) -> None:
    """HQ's own ops again, with the clocks they carried: a field takes the value only where
    it is newer than what HQ holds now; a ledger row only when HQ has none."""
    from sync.hub_handlers import _unique_number  # the renumbering of a number minted twice
    for op in ops:
        spec = TABLES.get(str(op.get("table")))
        if spec is None or not isinstance(op.get("fields"), dict):
            continue  # a table this hub's release does not know
        clock = (op.get("hlc", 0), op.get("src", "hub"))
        if clock[0]:
            hub.clock.observe(clock[0])
        if clock[1] != "hub" and isinstance(op.get("id"), str):
            c.execute("INSERT OR IGNORE INTO recovered_writes (src, hlc, tbl, row_id) VALUES (?,?,?,?)",
                      (clock[1], clock[0], spec.name, op["id"]))
        fields = {f: v for f, v in op["fields"].items() if f in spec.columns and f != "id"}
        if spec.is_record:
            creating = merge.load(c, spec, op["id"]) is None
            hub.apply_put(c, spec, op["id"], fields, clock, out)
            if creating and spec.minted and isinstance(fields.get(spec.minted), str):
                _unique_number(hub, c, spec, spec.minted, op["id"], fields[spec.minted], out, None)
        elif merge.load(c, spec, op["id"]) is None:
            hub.apply_add(c, spec, op["id"], fields, clock, out)


def applied_before(c, node_id: str, hlc: int) -> set[tuple[str, str]]:
    """The rows a node's change (by its clock) wrote that HQ's own chain, handed back after a
    restore, shows HQ accepted. When the node sends that change again (HQ's record of it was
    lost with the restore), those ops are already applied — judged again against the newer
    state the hand-back restored (a settlement submitted since), they would be refused."""
    return {(r[0], r[1]) for r in c.execute(
        "SELECT tbl, row_id FROM recovered_writes WHERE src = ? AND hlc = ?", (node_id, hlc))}


def _insert(c, at, node_id, hb: HandBack, outcome, recovered, duplicate, held_seq, detail) -> None:
    c.execute("INSERT INTO handbacks (at, node_id, bucket, epoch, first, last, outcome, recovered,"
              " duplicate, held_seq, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
              (at, node_id, hb.bucket, hb.epoch, hb.first, hb.first + len(hb.lines) - 1, outcome,
               recovered, duplicate, held_seq, detail))


def _record(hub: HubStore, node_id: str, hb: HandBack, outcome: str, detail: str) -> None:
    with hub.tx() as c:
        _insert(c, now_ms(), node_id, hb, outcome, 0, 0, relay.head_of(c, hb.bucket)[1], detail[:300])


def handbacks(hub: HubStore) -> list[dict]:
    """Every hand-back HQ received, oldest first, with the node's name and outlet."""
    with hub.snapshot() as c:
        return dict_rows(c.execute(
            "SELECT h.*, n.name AS node_name, o.code AS outlet_code FROM handbacks h"
            " LEFT JOIN nodes n ON n.node_id = h.node_id LEFT JOIN outlets o ON o.id = n.outlet_id"
            " ORDER BY h.id"))
