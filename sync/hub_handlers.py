"""The hub side of the protocol, shaped like the HTTP endpoints so that routes stay thin:
each takes the authenticated node id and the request body, and returns the response body
or raises a SyncError. Verification always finishes before anything is applied."""
import json
import uuid

from shared.numbering import node_letter
from shared.tables import GLOBAL_BUCKET, TABLES, outlet_bucket
from sync import keys, merge, relay, segment
from sync.authorize import Context, authorize
from sync.canonical import ZERO_HASH, canonical_bytes
from sync.change import SCHEMA_RANGE
from sync.errors import (CLOCK_AHEAD, BadRequest, BadToken, ChainGap, Forbidden, Fork,
                         OpRefused, Revoked, UnknownNode)
from sync.hlc import from_wall, now_ms, wall_ms
from sync.hub_store import HubStore, token_hash

MAX_PULL = 1000


def authenticated(hub: HubStore, node_id: str) -> dict:
    node = hub.node(node_id)
    if node is None:
        raise UnknownNode(f"no enrolled node {node_id!r}")
    if node["status"] == "revoked":
        raise Revoked("this node was revoked by HQ; ask HQ for a new enrollment code")
    return node


def node_buckets(node: dict) -> list[str]:
    return [outlet_bucket(node["outlet_id"]), GLOBAL_BUCKET]


def may_read_blob(hub: HubStore, node_id: str, sha256: str) -> bool:
    """A photo or signature is scoped like the rows: a node reads it only when an
    `attachments` row naming it belongs to one of the node's buckets (its outlet's orders)."""
    mine = set(node_buckets(hub.node(node_id)))
    spec = TABLES["attachments"]
    with hub.snapshot() as c:
        cur = c.execute("SELECT * FROM attachments WHERE sha256 = ?", (sha256,))
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
        return any(mine & set(relay.buckets_of(c, spec, row)) for row in rows)


# ---- enroll ----

def enroll(hub: HubStore, req: dict) -> dict:
    if not isinstance(req, dict) or not all(isinstance(req.get(k), str) for k in ("token", "public_key")):
        raise BadRequest("enroll needs token and public_key strings")
    keys.public_key(req["public_key"])  # a bad key is a bad request, not a bad token
    now = now_ms()
    with hub.tx() as c:
        row = c.execute("SELECT outlet_id, expires_at, used_at FROM enroll_tokens WHERE token_hash = ?",
                        (token_hash(req["token"]),)).fetchone()
        if row is None or row[2] is not None or row[1] < now:
            raise BadToken("enrollment token is unknown, already used or expired")
        outlet_id = row[0]
        outlet = merge.load(c, TABLES["outlets"], outlet_id)
        count = c.execute("SELECT COUNT(*) FROM nodes WHERE outlet_id = ?", (outlet_id,)).fetchone()[0]
        node_id = f"node-{uuid.uuid4().hex[:16]}"
        letter = node_letter(count)
        c.execute("INSERT INTO nodes (node_id, outlet_id, public_key, name, letter, app_version,"
                  " schema, enrolled_at) VALUES (?,?,?,?,?,?,?,?)",
                  (node_id, outlet_id, req["public_key"], str(req.get("name") or "")[:100], letter,
                   str(req.get("app_version") or "")[:40], req.get("schema") if isinstance(req.get("schema"), int) else None, now))
        c.execute("UPDATE enroll_tokens SET used_at = ?, node_id = ? WHERE token_hash = ?",
                  (now, node_id, token_hash(req["token"])))
    return {"node_id": node_id, "outlet_id": outlet_id, "hub_id": hub.hub_id,
            "hub_public_key": hub.key.public_b64, "buckets": node_buckets({"outlet_id": outlet_id}),
            "node_letter": letter, "outlet_code": (outlet or {}).get("code") or outlet_id}


# ---- hello ----

def hello(hub: HubStore, node_id: str) -> dict:
    node = authenticated(hub, node_id)
    buckets = {}
    with hub.snapshot() as c:
        for b in node_buckets(node):
            epoch, seq, head = relay.head_of(c, b)
            buckets[b] = {"epoch": epoch, "seq": seq, "head": head}
    return {"hub_id": hub.hub_id, "hub_time": now_ms(),
            "node": {"status": node["status"], "epoch": node["epoch"], "seq": node["seq"],
                     "head": node["head"]},
            "buckets": buckets, "schema": {"min": SCHEMA_RANGE[0], "max": SCHEMA_RANGE[1]}}


# ---- push ----

def _have(node_row) -> dict:
    return {"epoch": node_row[0], "seq": node_row[1], "head": node_row[2]}


def push(hub: HubStore, node_id: str, body: bytes) -> dict:
    node = authenticated(hub, node_id)
    manifest, sig, lines = segment.split(body)
    segment.check_manifest(manifest, lines, hub_id=hub.hub_id, origin_key="origin", origin=node_id)
    keys.verify(node["public_key"], keys.SEGMENT, canonical_bytes(manifest), sig)
    changes = segment.verify_chain(manifest, lines, node_id)
    try:
        return _apply_segment(hub, node, manifest, lines, changes)
    except Fork as fork:
        with hub.tx() as c:
            c.execute("INSERT INTO fork_alerts (node_id, epoch, seq, held_hash, sent_hash, at)"
                      " VALUES (?,?,?,?,?,?)", (node_id, manifest["epoch"], fork.seq,
                                                fork.held_hash, fork.sent_hash, now_ms()))
        raise


def _fork(have: dict, seq: int, held: str, sent: str) -> Fork:
    exc = Fork(f"change {seq} differs from the one HQ holds: this node's data was restored "
               "or copied; it must start a new epoch", have=have)
    exc.seq, exc.held_hash, exc.sent_hash = seq, held, sent
    return exc


def _apply_segment(hub, node, m, lines, changes) -> dict:
    node_id, epoch = node["node_id"], m["epoch"]
    rejected: list[dict] = []
    with hub.tx() as c:
        held = c.execute("SELECT epoch, seq, head, status FROM nodes WHERE node_id = ?",
                         (node_id,)).fetchone()
        if held[3] == "revoked":
            raise Revoked("this node was revoked by HQ")
        have = _have(held)
        if epoch < held[0]:
            raise _fork(have, m["first"], "", "")
        if epoch > held[0]:
            if m["first"] != 1 or m["prev"] != ZERO_HASH:
                raise ChainGap(f"a new epoch starts at seq 1; HQ holds epoch {held[0]}", have=have)
            # The node found its copy behind HQ's (restored from a backup or cloned): HQ
            # keeps what it held of the old epoch and is told, so someone looks.
            c.execute("INSERT INTO fork_alerts (node_id, epoch, seq, held_hash, sent_hash, at)"
                      " VALUES (?,?,?,?,?,?)", (node_id, held[0], held[1], held[2], "new epoch " + str(epoch), now_ms()))
            held_seq, head = 0, ZERO_HASH
        else:
            held_seq, head = held[1], held[2]
        if m["first"] > held_seq + 1:
            raise ChainGap(f"HQ holds up to change {held_seq}; send from {held_seq + 1}", have=have)
        new = []
        for (h, ch), line in zip(changes, lines):
            if ch["seq"] <= held_seq:
                stored = c.execute("SELECT hash FROM node_changes WHERE origin=? AND epoch=? AND seq=?",
                                   (node_id, epoch, ch["seq"])).fetchone()
                if stored is None or stored[0] != h:
                    raise _fork(have, ch["seq"], stored[0] if stored else "", h)
                continue
            if not new and ch["prev"] != head:
                raise _fork(have, ch["seq"], head, ch["prev"])
            new.append((h, ch, line))
        out = relay.Relay()
        ctx = Context(conn=c, outlet_id=node["outlet_id"], actor=None, cache={})
        actors: dict[str, dict | None] = {}
        now = now_ms()
        for h, ch, line in new:
            c.execute("INSERT INTO node_changes (origin, epoch, seq, hash, body, received_at)"
                      " VALUES (?,?,?,?,?,?)", (node_id, epoch, ch["seq"], h, line, now))
            _apply_change(hub, c, node, ch, ctx, actors, out, rejected, now)
            held_seq, head = ch["seq"], h
        c.execute("UPDATE nodes SET epoch = ?, seq = ?, head = ?, last_seen_at = ? WHERE node_id = ?",
                  (epoch, held_seq, head, now, node_id))
        hub.finish(c, out)
    return {"have": {"epoch": epoch, "seq": held_seq, "head": head}, "rejected": rejected}


def _actor(c, actors: dict, actor_id: str) -> dict | None:
    if actor_id not in actors:
        row = merge.load(c, TABLES["users"], actor_id or "")
        actors[actor_id] = dict(row) if row else None
    return actors[actor_id]


def _apply_change(hub, c, node, ch, ctx, actors, out, rejected, now) -> None:
    ahead = wall_ms(ch["hlc"]) > now + hub.max_drift_ms
    if not ahead:
        hub.clock.observe(ch["hlc"])
    ctx.actor = _actor(c, actors, ch.get("actor"))
    clock = ctx.clock = (ch["hlc"], node["node_id"])
    for i, op in enumerate(ch["ops"]):
        try:
            if ahead:
                raise OpRefused(CLOCK_AHEAD, "clock_ahead", minutes=hub.max_drift_ms // 60000)
            verdict = authorize(ctx, op)
        except OpRefused as r:
            _refuse(hub, c, node, ch, i, op, r, out, now)
            rejected.append({"seq": ch["seq"], "op": i, "code": r.code, "message": r.message})
            continue
        if verdict.noop:
            continue
        _apply_op(hub, c, verdict, op, clock, ctx, out)


def _apply_op(hub, c, verdict, op, clock, ctx, out) -> None:
    spec, fields = verdict.spec, op["fields"]
    if not spec.is_record:
        hub.apply_add(c, spec, op["id"], fields, clock, out, ctx.cache)
        if spec.sets_parent:
            target_col, source_col = spec.sets_parent
            hub.hub_put(c, spec.parent.table, fields[spec.parent.column],
                        {target_col: fields[source_col]}, out, ctx.cache)
        return
    creating = verdict.row is None
    # The authoriser read the row in this transaction: no need to read it again.
    _, row = hub.put_row(c, spec, op["id"], fields, clock, out, verdict.row, ctx.cache, loaded=True)
    if creating and spec.initial:
        hub.hub_put(c, spec.name, op["id"], dict(spec.initial), out, ctx.cache, row=row)
    if creating and "number" in spec.set_once and isinstance(fields.get("number"), str):
        _unique_number(hub, c, spec, op["id"], fields["number"], out, ctx.cache)
    sub = spec.submit
    if sub and fields.get(sub.column) == sub.submitted and "content_hash" in spec.columns:
        hub.hub_put(c, spec.name, op["id"], {"content_hash": hub.content_hash(c, spec, op["id"])},
                    out, ctx.cache)


def _unique_number(hub, c, spec, row_id: str, number: str, out, cache) -> None:
    """Numbers minted offline never collide while a node's counter only grows; a node put
    back from an old backup counts again from there until its first sync, and mints
    numbers HQ already holds. The later row keeps its place under a suffixed number
    (`…-R2`), a hub decision that reaches every replica like any other write."""
    if c.execute(f"SELECT 1 FROM [{spec.name}] WHERE number = ? AND id != ? LIMIT 1",
                 (number, row_id)).fetchone() is None:
        return
    k = 2
    while c.execute(f"SELECT 1 FROM [{spec.name}] WHERE number = ? LIMIT 1", (f"{number}-R{k}",)).fetchone():
        k += 1
    hub.hub_put(c, spec.name, row_id, {"number": f"{number}-R{k}"}, out, cache)


def _refuse(hub, c, node, ch, i, op, r: OpRefused, out, now) -> None:
    """Record a refused op, tell the outlet why, and send its authoritative state."""
    table, row_id = op.get("table"), op.get("id")
    c.execute("INSERT INTO refusals (origin, epoch, seq, op_index, table_name, row_id, code,"
              " message, at) VALUES (?,?,?,?,?,?,?,?,?)",
              (node["node_id"], ch["epoch"], ch["seq"], i, table, row_id, r.code, r.message, now))
    bucket = hub.outlet_bucket_of_node(node)
    spec = TABLES.get(table)
    exists = False
    if spec is not None:
        row = merge.load(c, spec, row_id)
        # Visible to the node through any of its buckets (a catalog part through `global`):
        # a row the node holds must not be reported as missing, or the node drops it.
        visible = row is not None and bool(set(relay.buckets_of(c, spec, row)) & set(node_buckets(node)))
        if visible:
            exists = hub.snapshot_to(c, spec, row_id, bucket, out)
        if spec.sets_parent and isinstance(op.get("fields"), dict):
            parent_id = op["fields"].get(spec.parent.column)
            parent_spec = TABLES[spec.parent.table]
            parent = merge.load(c, parent_spec, parent_id) if isinstance(parent_id, str) else None
            if parent is not None and bucket in relay.buckets_of(c, parent_spec, parent):
                hub.snapshot_to(c, parent_spec, parent_id, bucket, out)
    notice = {"outlet_id": node["outlet_id"], "kind": "refused", "code": r.code,
              "message": r.message, "detail": r.detail, "table_name": table if isinstance(table, str) else None,
              "row_id": row_id if isinstance(row_id, str) else None, "origin": node["node_id"],
              "seq": ch["seq"], "op_index": i, "row_exists": exists, "at": now}
    nid = hub.notice_id(node["node_id"], ch["epoch"], ch["seq"], i)
    if merge.load(c, TABLES["notices"], nid) is None:
        hub.apply_add(c, TABLES["notices"], nid, notice, (hub.tick(), "hub"), out)


# ---- pull ----

def pull(hub: HubStore, node_id: str, bucket: str, after: int, limit: int = MAX_PULL) -> bytes:
    node = authenticated(hub, node_id)
    if bucket not in node_buckets(node):
        raise Forbidden(f"this node may not read bucket {bucket!r}")
    if not isinstance(after, int) or after < 0 or not isinstance(limit, int) or limit < 1:
        raise BadRequest("after must be an integer ≥ 0 and limit ≥ 1")
    limit = min(limit, MAX_PULL)
    with hub.snapshot() as c:  # a consistent read of the chain, beside any ongoing push
        epoch, seq, head = relay.head_of(c, bucket)
        if after > seq:
            raise ChainGap(f"HQ's {bucket} chain ends at {seq}; pull again from the start",
                           have={"epoch": epoch, "seq": seq, "head": head})
        prev = ZERO_HASH
        if after:
            prev = c.execute("SELECT hash FROM bucket_changes WHERE bucket=? AND epoch=? AND seq=?",
                             (bucket, epoch, after)).fetchone()[0]
        # At most `limit` changes and what a node accepts in one body (segment.MAX_BYTES,
        # with room for the manifest line), but always at least one change.
        rows, size = [], 1024
        cur = c.execute("SELECT seq, hash, body FROM bucket_changes WHERE bucket=? AND epoch=?"
                        " AND seq > ? ORDER BY seq LIMIT ?", (bucket, epoch, after, limit))
        for r in cur:
            size += len(r[2]) + 1
            if rows and size > segment.MAX_BYTES:
                break
            rows.append(r)
        cur.close()
        node_seq = c.execute("SELECT seq FROM nodes WHERE node_id = ?", (node_id,)).fetchone()[0]
    lines = [bytes(r[2]) for r in rows]
    manifest = segment.manifest_for(hub=hub.hub_id, origin_key="bucket", origin=bucket, epoch=epoch,
                                    first=after + 1, lines=lines, prev=prev,
                                    more=bool(rows) and rows[-1][0] < seq, acked=node_seq)
    return segment.encode(manifest, segment.sign_manifest(hub.key, keys.BUCKET, manifest), lines)


def error_json(exc) -> bytes:
    return json.dumps(exc.body(), ensure_ascii=False).encode()


__all__ = ["enroll", "hello", "push", "pull", "from_wall"]
