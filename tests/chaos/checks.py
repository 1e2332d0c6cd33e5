"""What must hold once a chaos run has quiesced (everything healed, every node synced
until nothing moves):

1. every node's rows of its outlet equal the hub's, field by field (fieldsync/demo/headless.converged);
2. on hand = Σ moves everywhere: what the node's stock screen shows per part equals the
   hub's sum of the outlet's moves;
3. every change the hub acknowledged (held in `node_changes`, every epoch) is present
   exactly once: each op it did not refuse is in the hub's tables (a ledger row with the
   same fields; a record whose field clock is at least the op's), and every row that came
   from a node traces back to one acknowledged op of that node — or, after HQ was restored
   from a backup, to HQ's own signed change that a node handed back (`recovered_changes`:
   the node that wrote it may itself have been put back from an old copy since);
4. every op the hub refused has its notice at the node that sent it, and the sync panel's
   list of refused changes (`_refused`) has it too;
5. nothing is pending: each node's log is acknowledged to its end;
6. order and parts request numbers are unique at HQ (a node restored from an old backup
   mints numbers again until its first sync; HQ suffixes the later ones)."""
import json
from collections import Counter

from fieldsync.demo.headless import converged
from fieldsync.testing.world import stock_places, unbalanced_pairs
from shared.tables import HUB, TABLES
from sync import merge


def check_all(hub, nodes) -> list[str]:
    problems: list[str] = []
    for n in nodes:
        problems += converged(hub, n.store, n.outlet_id, n.name)
    problems += on_hand(hub, nodes)
    problems += acknowledged_once(hub)
    problems += notices(hub, nodes)
    problems += nothing_pending(hub, nodes)
    for table in ("service_orders", "parts_requests"):
        dupes = hub.conn.execute(f"SELECT number, COUNT(*) FROM {table} WHERE number IS NOT NULL "
                                 "GROUP BY number HAVING COUNT(*) > 1").fetchall()
        problems += [f"{table} number {num} used by {k} rows" for num, k in dupes]
    return problems


def on_hand(hub, nodes) -> list[str]:
    """On hand per place (the store, each technician's bag) on every node equals HQ's, and
    no issue or hand-back is applied in half."""
    out = []
    for n in nodes:
        theirs = stock_places(hub.conn, n.outlet_id)
        with n.store.read() as c:
            mine = stock_places(c, n.outlet_id)
        for place in set(theirs) | set(mine):
            if theirs.get(place, 0) != mine.get(place, 0):
                out.append(f"{n.name} on hand of {place}: node {mine.get(place, 0)}, hub {theirs.get(place, 0)}")
    out += [f"pair {ref} applied in half" for ref in unbalanced_pairs(hub.conn)]
    return out


def acknowledged_once(hub) -> list[str]:
    out = []
    c = hub.conn
    refused = {(r[0], r[1], r[2], r[3]) for r in c.execute(
        "SELECT origin, epoch, seq, op_index FROM refusals")}
    accepted_ledger: dict[tuple[str, str], set] = {}   # (table, id) -> origins that sent it
    for origin, epoch, seq, body in c.execute("SELECT origin, epoch, seq, body FROM node_changes"):
        ch = json.loads(body)
        clock = (ch["hlc"], origin)
        for i, op in enumerate(ch["ops"]):
            if (origin, epoch, seq, i) in refused:
                continue
            spec = TABLES[op["table"]]
            row = merge.load(c, spec, op["id"])
            where = f"{origin} e{epoch} #{seq} op {i} {op['table']} {op['id']}"
            if row is None:
                out.append(f"acknowledged op missing on the hub: {where}")
            elif spec.is_record:
                behind = [f for f in op["fields"] if row.clock(f) < clock]
                if behind:
                    out.append(f"acknowledged op not applied ({', '.join(behind)}): {where}")
            elif not merge.same_ledger_row(row, op["fields"]):
                out.append(f"acknowledged ledger row differs on the hub: {where}")
            else:
                accepted_ledger.setdefault((spec.name, op["id"]), set()).add(origin)
    for (body,) in c.execute("SELECT body FROM recovered_changes"):
        for op in json.loads(body)["ops"]:
            if op.get("op") == "add" and op.get("src"):
                accepted_ledger.setdefault((op["table"], op["id"]), set()).add(op["src"])
    for spec in TABLES.values():
        if spec.is_record or spec.owner == HUB:
            continue
        for row_id, src in c.execute(f"SELECT id, _src FROM [{spec.name}] WHERE _src != 'hub'"):
            if src not in accepted_ledger.get((spec.name, row_id), ()):
                out.append(f"{spec.name} {row_id} from {src} traces back to no acknowledged op")
    return out


def notices(hub, nodes) -> list[str]:
    out = []
    by_id = {n.node_id: n for n in nodes}
    for origin, epoch, seq, i, code in hub.conn.execute(
            "SELECT origin, epoch, seq, op_index, code FROM refusals"):
        n = by_id.get(origin)
        if n is None:
            continue
        nid = hub.notice_id(origin, epoch, seq, i)
        if n.store.conn.execute("SELECT 1 FROM notices WHERE id = ?", (nid,)).fetchone() is None:
            out.append(f"{n.name}: no notice for refused op e{epoch} #{seq} op {i} ({code})")
        elif n.store.conn.execute("SELECT 1 FROM _refused WHERE notice_id = ?", (nid,)).fetchone() is None:
            out.append(f"{n.name}: refused op e{epoch} #{seq} op {i} ({code}) not in the sync panel")
    return out


def nothing_pending(hub, nodes) -> list[str]:
    out = []
    for n in nodes:
        if n.store.pending_count():
            out.append(f"{n.name}: {n.store.pending_count()} changes still pending")
        held = hub.conn.execute("SELECT epoch, seq FROM nodes WHERE node_id = ?", (n.node_id,)).fetchone()
        last = n.store.last()[0]
        if tuple(held) != (n.store.epoch, last):
            out.append(f"{n.name}: hub holds e{held[0]} #{held[1]}, node is at e{n.store.epoch} #{last}")
    return out


def refusal_codes(hub) -> Counter:
    return Counter(r[0] for r in hub.conn.execute("SELECT code FROM refusals"))
