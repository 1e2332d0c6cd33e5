"""The hub side of the protocol, shaped like the HTTP endpoints so that routes stay thin:
each takes the authenticated node id and the request body, and returns the response body
or raises a SyncError. Verification always finishes before anything is applied."""
import json

from shared import policies, roles
from shared.numbering import renumbered
from shared.tables import GLOBAL_BUCKET, TABLES, outlet_bucket, tech_bucket
from sync import keys, merge, recovery, relay, segment
from sync.authorize import Context, authorize
from sync.canonical import ZERO_HASH, canonical_bytes
from sync import change
from sync.op_upgrade import upgrade_ops
from sync.errors import (CLOCK_AHEAD, FORBIDDEN, BadRequest, BadToken, ChainGap, Forbidden, Fork,
                         OpRefused, Revoked, UnknownNode)
from sync.hlc import from_wall, now_ms, wall_ms
from sync.hub_store import HubStore
from sync.store import dict_rows

MAX_PULL = 1000
MAX_REPORTED = 2 ** 53  # a count or time a node reports is stored as an SQLite integer: larger is a bad request


def authenticated(hub: HubStore, node_id: str) -> dict:
    node = hub.node(node_id)
    if node is None:
        raise UnknownNode(f"no enrolled node {node_id!r}")
    if node["status"] == "revoked":
        raise Revoked("this node was revoked by HQ; ask HQ for a new enrollment code")
    if node.get("kind") == "device":
        with hub.snapshot() as c:
            technician = merge.load(c, TABLES["users"], node["technician_id"] or "")
        if not _works_at(technician, node):
            # A device of a technician who left (or moved outlet) neither reads nor writes:
            # refused whole, before anything is applied.
            raise Revoked("the technician this device is bound to no longer works at the outlet; "
                          "the outlet manager enrolls a new device for whoever takes over")
    return node


def node_buckets(node: dict) -> list[str]:
    """An outlet's PC reads the whole outlet; a technician's device only what its
    technician needs (DESIGN.md "Nodes of two sizes")."""
    if node.get("kind") == "device":
        return [tech_bucket(node["technician_id"]), GLOBAL_BUCKET]
    return [outlet_bucket(node["outlet_id"]), GLOBAL_BUCKET]


def may_read_blob(hub: HubStore, node_id: str, sha256: str) -> bool:
    """A photo or signature is scoped like the rows: a node reads it only when an
    `attachments` row naming it belongs to one of the node's buckets (its outlet's orders)."""
    node = hub.node(node_id)
    if node is None:
        return False
    mine = set(node_buckets(node))
    spec = TABLES["attachments"]
    with hub.snapshot() as c:
        rows = dict_rows(c.execute("SELECT * FROM attachments WHERE sha256 = ?", (sha256,)))
        return any(mine & set(relay.buckets_of(c, spec, row)) for row in rows)


# ---- enroll ----

def enroll(hub: HubStore, req: dict) -> dict:
    if not isinstance(req, dict) or not all(isinstance(req.get(k), str) for k in ("token", "public_key")):
        raise BadRequest("enroll needs token and public_key strings")
    keys.public_key(req["public_key"])  # a bad key is a bad request, not a bad token
    now = now_ms()
    schema = req.get("schema")
    with hub.tx() as c:
        node = hub.enroll(c, req["token"], req["public_key"], str(req.get("name") or "")[:100],
                          str(req.get("app_version") or "")[:40], schema if isinstance(schema, int) else None, now)
        if node is None:
            raise BadToken("enrollment token is unknown, already used or expired")
        if node["kind"] == "device":
            technician = _check_technician(c, node)
            hub.seed_tech_bucket(c, node["technician_id"])
        else:
            technician = None
        outlet_id = node["outlet_id"]
        outlet = merge.load(c, TABLES[policies.OUTLET_TABLE], outlet_id)
    return {"node_id": node["node_id"], "outlet_id": outlet_id, "hub_id": hub.hub_id,
            "hub_public_key": hub.key.public_b64, "buckets": node_buckets(node),
            "node_letter": node["letter"], "outlet_code": policies.outlet_code(outlet, outlet_id),
            "kind": node["kind"], "technician_id": node["technician_id"],
            "technician_name": (technician or {}).get("display_name") or (technician or {}).get("username")}


def _check_technician(c, node: dict) -> dict:
    """A device code is spent only while its technician still works at the outlet (the
    transaction rolls back: the code stays unused). Returns the technician's row."""
    user = merge.load(c, TABLES["users"], node["technician_id"])
    if not _works_at(user, node):
        raise BadToken("this device code was issued for a technician who no longer works at the outlet",
                       reason="technician_left")
    return dict(user) if user is not None else {}


def _works_at(user, node: dict) -> bool:
    """Is `user` an active technician of the device's outlet?"""
    return user is not None and bool(user.get("active")) and user.get("outlet_id") == node["outlet_id"] \
        and user.get("role") == roles.Role.TECHNICIAN


# ---- hello ----

def hello(hub: HubStore, node_id: str, app_version=None, schema=None, pending=None, node_time=None) -> dict:
    """`app_version` and `schema`: what the node runs now (an extension of the protocol's
    hello; a 0.1.0 node sends neither), kept so that HQ sees who is behind in a rollout.
    `pending`: the node's changes HQ has not acknowledged, kept for HQ's and the outlet
    manager's view of the devices (work at risk if the device is lost).
    `node_time`: the node's wall clock (epoch ms) as it sent the hello; HQ keeps the drift."""
    node = authenticated(hub, node_id)
    _note_version(hub, node, app_version, schema)
    _note_pending(hub, node, pending)
    _note_contact(hub, node, node_time)
    buckets = {}
    with hub.snapshot() as c:
        for b in node_buckets(node):
            epoch, seq, head = relay.head_of(c, b)
            buckets[b] = {"epoch": epoch, "seq": seq, "head": head}
    return {"hub_id": hub.hub_id, "hub_time": now_ms(),
            "node": {"status": node["status"], "epoch": node["epoch"], "seq": node["seq"],
                     "head": node["head"]},
            "buckets": buckets, "schema": {"min": change.SCHEMA_RANGE[0], "max": change.SCHEMA_RANGE[1]}}


def _note_version(hub: HubStore, node: dict, app_version, schema) -> None:
    if app_version is None and schema is None:
        return
    if not isinstance(app_version, (str, type(None))) or not isinstance(schema, (int, type(None))) \
            or isinstance(schema, bool) or (schema is not None and not 0 <= schema <= MAX_REPORTED):
        raise BadRequest("hello's app_version must be a string and schema an integer")
    app_version = app_version[:40] if app_version is not None else node["app_version"]
    schema = schema if schema is not None else node["schema"]
    if (app_version, schema) != (node["app_version"], node["schema"]):
        with hub.tx() as c:
            c.execute("UPDATE nodes SET app_version = ?, schema = ? WHERE node_id = ?",
                      (app_version, schema, node["node_id"]))


def _note_pending(hub: HubStore, node: dict, pending) -> None:
    """The count, written only when it changed, so that an idle round stays a read (the
    round's time is `_note_contact`'s)."""
    if pending is None:
        return
    if not isinstance(pending, int) or isinstance(pending, bool) or not 0 <= pending <= MAX_REPORTED:
        raise BadRequest("hello's pending must be a count (an integer ≥ 0)")
    if pending != node.get("pending"):
        with hub.tx() as c:
            c.execute("UPDATE nodes SET pending = ? WHERE node_id = ?", (pending, node["node_id"]))


CONTACT_EVERY_MS = 60_000  # a node's last contact is written at most this often (idle rounds stay reads)
DRIFT_STEP_MS = 5_000      # a drift that moved less than this is not written again


def _note_contact(hub: HubStore, node: dict, node_time) -> None:
    """When the node last reached HQ (`last_seen_at`, also set by every push) and how far
    its clock is from HQ's (`clock_drift_ms` = HQ's time − the node's), for HQ's network
    screen. Written only when the contact is older than CONTACT_EVERY_MS or the drift
    moved by DRIFT_STEP_MS: one small write a minute per node at most."""
    if node_time is not None and (not isinstance(node_time, int) or isinstance(node_time, bool)
                                  or not 0 <= node_time <= MAX_REPORTED):
        raise BadRequest("hello's node_time must be epoch milliseconds (an integer)")
    now = now_ms()
    drift = now - node_time if node_time is not None else node.get("clock_drift_ms")
    old_drift, seen = node.get("clock_drift_ms"), node.get("last_seen_at")
    moved = drift is not None and (old_drift is None or abs(drift - old_drift) >= DRIFT_STEP_MS)
    if moved or seen is None or now - seen >= CONTACT_EVERY_MS:
        with hub.tx() as c:
            c.execute("UPDATE nodes SET last_seen_at = ?, clock_drift_ms = ? WHERE node_id = ?",
                      (now, drift, node["node_id"]))


# ---- push ----

def _have(node_row) -> dict:
    return {"epoch": node_row[0], "seq": node_row[1], "head": node_row[2]}


def push(hub: HubStore, node_id: str, body: bytes, tally: dict | None = None) -> dict:
    """`tally`, when given, is told what the push did for the hub's metrics: `ops` (the
    ops of the changes new to HQ, applied or refused) and `fork_alerts` raised."""
    tally = {} if tally is None else tally
    node = authenticated(hub, node_id)
    manifest, sig, lines = segment.split(body)
    segment.check_manifest(manifest, lines, hub_id=hub.hub_id, origin_key="origin", origin=node_id)
    keys.verify(node["public_key"], keys.SEGMENT, canonical_bytes(manifest), sig)
    changes = segment.verify_chain(manifest, lines, node_id)
    try:
        return _apply_segment(hub, node, manifest, lines, changes, tally)
    except Fork as fork:
        tally["fork_alerts"] = tally.get("fork_alerts", 0) + 1
        with hub.tx() as c:
            hub.add_fork_alert(c, node_id, manifest["epoch"], fork.seq, fork.held_hash, fork.sent_hash, now_ms())
        raise


def _fork(have: dict, seq: int, held: str, sent: str) -> Fork:
    exc = Fork(f"change {seq} differs from the one HQ holds: this node's data was restored "
               "or copied; it must start a new epoch", have=have)
    exc.seq, exc.held_hash, exc.sent_hash = seq, held, sent
    return exc


def _apply_segment(hub, node, m, lines, changes, tally: dict) -> dict:
    node_id, epoch = node["node_id"], m["epoch"]
    rejected: list[dict] = []
    new_epoch_alert = 0  # counted once its transaction commits
    with hub.tx() as c:
        held = hub.node_chain(c, node_id)
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
            hub.add_fork_alert(c, node_id, held[0], held[1], held[2], "new epoch " + str(epoch), now_ms())
            new_epoch_alert = 1
            held_seq, head = 0, ZERO_HASH
        else:
            held_seq, head = held[1], held[2]
        if m["first"] > held_seq + 1:
            raise ChainGap(f"HQ holds up to change {held_seq}; send from {held_seq + 1}", have=have)
        new: list[tuple[str, dict, bytes]] = []
        for (h, ch), line in zip(changes, lines, strict=True):
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
        ctx = Context(conn=c, outlet_id=node["outlet_id"], actor=None, cache={},
                      technician_id=node["technician_id"] if node.get("kind") == "device" else None)
        actors: dict[str, dict | None] = {}
        now = now_ms()
        for h, ch, line in new:
            c.execute("INSERT INTO node_changes (origin, epoch, seq, hash, body, received_at)"
                      " VALUES (?,?,?,?,?,?)", (node_id, epoch, ch["seq"], h, line, now))
            _apply_change(hub, c, node, ch, ctx, actors, out, rejected, now)
            held_seq, head = ch["seq"], h
        hub.advance_node(c, node_id, epoch, held_seq, head, now)
        hub.finish(c, out)
    tally["ops"] = sum(len(ch["ops"]) for _, ch, _ in new)
    tally["fork_alerts"] = tally.get("fork_alerts", 0) + new_epoch_alert
    return {"have": {"epoch": epoch, "seq": held_seq, "head": head}, "rejected": rejected}


def _actor(c, actors: dict, actor_id: str) -> dict | None:
    if actor_id not in actors:
        row = merge.load(c, TABLES[policies.ACTOR_TABLE], actor_id or "")
        actors[actor_id] = dict(row) if row else None
    return actors[actor_id]


def _apply_change(hub, c, node, ch, ctx, actors, out, rejected, now) -> None:
    ahead = wall_ms(ch["hlc"]) > now + hub.max_drift_ms
    if not ahead:
        hub.clock.observe(ch["hlc"])
    ctx.actor = _actor(c, actors, ch.get("actor"))
    clock = ctx.clock = (ch["hlc"], node["node_id"])
    done = recovery.applied_before(c, node["node_id"], ch["hlc"])  # after HQ's restore (sync/recovery.py)
    for i, op in enumerate(upgrade_ops(ch["ops"], ch.get("schema", change.SCHEMA))):
        if (op.get("table"), op.get("id")) in done:
            continue
        try:
            if ahead:
                raise OpRefused(CLOCK_AHEAD, "clock_ahead", minutes=hub.max_drift_ms // 60000)
            if ctx.technician_id is not None and ch.get("actor") != ctx.technician_id:
                # A device writes as its bound technician only (a stolen or shared device
                # must not act for the outlet's clerk or manager).
                raise OpRefused(FORBIDDEN, "device_actor")
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
    if creating and spec.minted and isinstance(fields.get(spec.minted), str):
        _unique_number(hub, c, spec, spec.minted, op["id"], fields[spec.minted], out, ctx.cache)
    sub = spec.submit
    if sub and sub.frozen_hash and fields.get(sub.column) == sub.submitted:
        hub.hub_put(c, spec.name, op["id"], {sub.frozen_hash: hub.content_hash(c, spec, op["id"])},
                    out, ctx.cache)


def _unique_number(hub, c, spec, column: str, row_id: str, number: str, out, cache) -> None:
    """Numbers minted offline never collide while a node's counter only grows; a node put
    back from an old backup counts again from there until its first sync, and mints
    numbers HQ already holds. The later row keeps its place under a suffixed number
    (`…-R2`), a hub decision that reaches every replica like any other write."""
    if c.execute(f"SELECT 1 FROM [{spec.name}] WHERE [{column}] = ? AND id != ? LIMIT 1",
                 (number, row_id)).fetchone() is None:
        return
    k = 2
    while c.execute(f"SELECT 1 FROM [{spec.name}] WHERE [{column}] = ? LIMIT 1",
                    (renumbered(number, k),)).fetchone():
        k += 1
    hub.hub_put(c, spec.name, row_id, {column: renumbered(number, k)}, out, cache)


def _refuse(hub, c, node, ch, i, op, r: OpRefused, out, now) -> None:
    """Record a refused op, tell the outlet why, and send its authoritative state."""
    table, row_id = op.get("table"), op.get("id")
    if r.moved is not None:  # the outlet's late work on a row HQ moved away: kept whole for HQ
        c.execute("INSERT OR IGNORE INTO late_work (id, node_id, outlet_id, epoch, seq, op_index, table_name,"
                  " row_id, moved_table, moved_row_id, actor, hlc, op, at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  (hub.notice_id(node["node_id"], ch["epoch"], ch["seq"], i), node["node_id"], node["outlet_id"],
                   ch["epoch"], ch["seq"], i, table, row_id, r.moved[0], r.moved[1], ch.get("actor"), ch["hlc"],
                   json.dumps(op, ensure_ascii=False, sort_keys=True), now))
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
        link = spec.parent
        if spec.sets_parent and link is not None and isinstance(op.get("fields"), dict):
            parent_id = op["fields"].get(link.column)
            parent_spec = TABLES[link.table]
            parent = merge.load(c, parent_spec, parent_id) if isinstance(parent_id, str) else None
            if parent is not None and bucket in relay.buckets_of(c, parent_spec, parent):
                hub.snapshot_to(c, parent_spec, parent_id, bucket, out)
    notice = policies.refusal_notice(
        outlet_id=node["outlet_id"], origin=node["node_id"], seq=ch["seq"], op_index=i, refusal=r,
        table=table if isinstance(table, str) else None, row_id=row_id if isinstance(row_id, str) else None,
        row_exists=exists, at=now)
    if node.get("kind") == "device":  # the technician's devices hear of it, not only the outlet
        notice["technician_id"] = node["technician_id"]
    nid = hub.notice_id(node["node_id"], ch["epoch"], ch["seq"], i)
    notices = TABLES[policies.NOTICES]
    if merge.load(c, notices, nid) is None:
        hub.apply_add(c, notices, nid, notice, (hub.tick(), "hub"), out)


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
        rows: list[tuple[int, str, bytes]] = []
        size = 1024
        cur = c.execute("SELECT seq, hash, body FROM bucket_changes WHERE bucket=? AND epoch=?"
                        " AND seq > ? ORDER BY seq LIMIT ?", (bucket, epoch, after, limit))
        for r in cur:
            size += len(r[2]) + 1
            if rows and size > segment.MAX_BYTES:
                break
            rows.append(r)
        cur.close()
        node_seq = hub.node_chain(c, node_id)[1]
    lines = [bytes(r[2]) for r in rows]
    manifest = segment.manifest_for(hub=hub.hub_id, origin_key="bucket", origin=bucket, epoch=epoch,
                                    first=after + 1, lines=lines, prev=prev,
                                    more=bool(rows) and rows[-1][0] < seq, acked=node_seq)
    return segment.encode(manifest, segment.sign_manifest(hub.key, keys.BUCKET, manifest), lines)


__all__ = ["enroll", "hello", "push", "pull", "from_wall"]
