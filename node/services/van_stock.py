"""What the technicians carry (随车配件, van stock): each technician's bag is a place of its
own, its on hand Σ of the moves whose `holder` is that technician (shared/stock.py).

The clerk issues parts from the store to a technician (领料) and takes unused ones back
(退料; the technician may hand back their own). Either is one change of two moves per part
with one ref naming the bag (shared/stock.py pair_ref): −n in the place the parts leave,
+n in the place they reach, so nothing is half-applied and the outlet's total is
unchanged. The store's moves carry no `holder` (they are written as release 0.1.0 wrote
them); the bag's carry the technician's id, so that the technician's devices receive them.

A bag count is done at the outlet by the clerk with the technician present: what was found
is recorded against Σ the bag's moves at that moment (a `stock_counts` row with the
technician as `holder`, submitted at once). Its variance is recorded, not posted: a part
missing from a bag is the outlet's matter to settle with the technician (hand it back,
issue again), and HQ's stock approvals take only the store's stocktakes."""
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from shared.choices import Choice
from shared.documents import DocStatus
from shared.labels import ui_text
from shared.roles import Role
from shared.stock import MoveKind, pair_ref

from node.services import guards
from node.services.documents import put
from node.services.errors import ServiceError
from node.services.session import Session
from node.services.stock import on_hand_all, part_row

COUNTS, COUNT_LINES = "stock_counts", "stock_count_lines"


@dataclass(frozen=True, slots=True)
class BagLine:
    part_id: str
    sku: str
    name: str
    category: str
    qty: int


@dataclass(frozen=True, slots=True)
class Bag:
    technician_id: str
    technician_name: str
    lines: tuple[BagLine, ...]
    pieces: int            # all parts carried, counted one by one
    summary: str           # "排水泵×2，门封条×1" (empty bag: "")


@dataclass(frozen=True, slots=True)
class BagCountLine:
    part_id: str
    sku: str
    name: str
    counted: int
    expected: int
    variance: int


@dataclass(frozen=True, slots=True)
class BagCount:
    id: str
    technician_id: str
    at: int | None
    lines: tuple[BagCountLine, ...]
    variances: str         # "排水泵 -1" or "0"


def _qty(qty) -> int:
    if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
        raise ServiceError.of("bad_qty", field="qty")
    return qty


class VanStock:
    def __init__(self, ctx):
        self.ctx = ctx

    # ---- reading ----

    def bag(self, session: Session, technician_id: str | None = None) -> Bag:
        """What a technician carries; a technician sees only their own bag (no id: one's own)."""
        tech = self._holder(session, technician_id or session.user_id)
        have = {pid: n for pid, n in on_hand_all(self.ctx, tech["id"]).items() if n}
        parts = {p["id"]: p for p in self._parts(list(have))}
        lines = tuple(sorted((BagLine(pid, parts.get(pid, {}).get("sku") or pid, parts.get(pid, {}).get("name") or pid,
                                      parts.get(pid, {}).get("category") or "", n) for pid, n in have.items()),
                             key=lambda x: (x.category, x.sku)))
        summary = ui_text("list_sep", session.lang).join(f"{x.name}×{x.qty}" for x in lines)
        return Bag(tech["id"], _name(tech), lines, sum(x.qty for x in lines), summary)

    def bags(self, session: Session) -> tuple[Bag, ...]:
        """Every technician's bag (the clerk's view): active technicians, and any other who
        still carries parts; a technician gets their own only."""
        if session.technician:
            return (self.bag(session),)
        ids = [r[0] for r in self.ctx.tuples(
            "SELECT id FROM users WHERE outlet_id = ? AND role = ? AND (active = 1 OR id IN "
            "(SELECT holder FROM stock_moves WHERE outlet_id = ? AND holder IS NOT NULL "
            "GROUP BY holder, part_id HAVING SUM(qty) != 0)) ORDER BY COALESCE(display_name, username, id)",
            (self.ctx.outlet_id, str(Role.TECHNICIAN), self.ctx.outlet_id))]
        return tuple(self.bag(session, tid) for tid in ids)

    def counts(self, session: Session, technician_id: str | None = None, limit: int = 20) -> tuple[BagCount, ...]:
        """A technician's bag counts, newest first."""
        tech = self._holder(session, technician_id or session.user_id)
        rows = self.ctx.query(f"SELECT * FROM {COUNTS} WHERE outlet_id = ? AND holder = ? "
                              "ORDER BY started_at DESC LIMIT ?", (self.ctx.outlet_id, tech["id"], limit))
        out = []
        for r in rows:
            lines = tuple(BagCountLine(x["part_id"], x["sku"] or x["part_id"], x["name"] or x["part_id"],
                                       x["counted"] or 0, x["expected"] or 0, x["variance"] or 0)
                          for x in self.ctx.query(
                              f"SELECT l.*, p.sku, p.name FROM {COUNT_LINES} l LEFT JOIN parts p ON p.id = l.part_id "
                              "WHERE l.count_id = ? ORDER BY p.sku", (r["id"],)))
            variances = ui_text("list_sep", session.lang).join(f"{x.name} {x.variance:+d}" for x in lines if x.variance)
            out.append(BagCount(r["id"], tech["id"], r.get("started_at"), lines, variances or "0"))
        return tuple(out)

    def store_choices(self, session: Session) -> tuple[Choice, ...]:
        """The store's parts on hand to issue, by SKU ("name（sku）· 库存n")."""
        return self._choices(session, on_hand_all(self.ctx), "part_on_hand")

    def bag_choices(self, session: Session, technician_id: str | None = None) -> tuple[Choice, ...]:
        """The parts a technician carries, to hand back or count ("name（sku）· 随车n")."""
        tech = self._holder(session, technician_id or session.user_id)
        return self._choices(session, on_hand_all(self.ctx, tech["id"]), "part_carried")

    def _choices(self, session: Session, have: dict[str, int], words: str) -> tuple[Choice, ...]:
        parts = {p["id"]: p for p in self._parts([pid for pid, n in have.items() if n > 0])}
        rows = sorted((p for p in parts.values() if p.get("active") != 0), key=lambda p: p.get("sku") or p["id"])
        return tuple(Choice(p["id"], ui_text(words, session.lang, name=p.get("name") or p["id"],
                                             sku=p.get("sku") or p["id"], n=have[p["id"]])) for p in rows)

    # ---- moving parts ----

    def issue(self, session: Session, technician_id: str, lines: Mapping[str, int]) -> str:
        """Parts from the store into a technician's bag (part → qty). Returns the issue's ref."""
        guards.require_add(session, "stock_moves", "issue_parts", kind=MoveKind.ISSUE)
        tech = self._holder(session, technician_id, issuing=True)
        store = on_hand_all(self.ctx)
        wanted = self._lines(lines)
        for part, qty in wanted:
            have = store.get(part["id"], 0)
            if have < qty:
                raise ServiceError.of("insufficient_stock", field="qty", part=part["name"] or part["id"],
                                      on_hand=have, qty=qty)
        return self._move(session, MoveKind.ISSUE, tech, wanted, into_bag=True)

    def hand_back(self, session: Session, technician_id: str | None, lines: Mapping[str, int]) -> str:
        """Unused parts from a technician's bag back into the store (part → qty); a
        technician hands back their own. Returns the hand-back's ref."""
        guards.require_add(session, "stock_moves", "hand_back", kind=MoveKind.HAND_BACK)
        tech = self._holder(session, technician_id or session.user_id)
        bag = on_hand_all(self.ctx, tech["id"])
        wanted = self._lines(lines)
        for part, qty in wanted:
            have = bag.get(part["id"], 0)
            if have < qty:
                raise ServiceError.of("hand_back_too_many", field="qty", technician=_name(tech),
                                      part=part["name"] or part["id"], have=have, qty=qty)
        return self._move(session, MoveKind.HAND_BACK, tech, wanted, into_bag=False)

    def count_bag(self, session: Session, technician_id: str, counted: Mapping[str, int],
                  note: str | None = None) -> str:
        """Record what was found in a technician's bag (part → counted; every part the bag
        should hold must be counted). Returns the count's id."""
        guards.require_put(session, COUNTS, ["outlet_id", "status", "holder", "count_hlc"], True, "count_bag")
        tech = self._holder(session, technician_id)
        for pid, n in counted.items():
            part_row(self.ctx, pid)
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise ServiceError.of("bad_count", field=pid)
        ctx, store = self.ctx, self.ctx.store
        count_id = str(uuid.uuid4())
        with store.tx():  # expected and the count's clock are read under the write's lock
            expected = {pid: n for pid, n in on_hand_all(ctx, tech["id"]).items() if n}
            missing = [pid for pid in expected if pid not in counted]
            if missing:
                raise ServiceError.of("uncounted", n=len(missing))
            now = ctx.now()
            ops = [put(COUNTS, count_id, outlet_id=ctx.outlet_id, holder=tech["id"], status=str(DocStatus.DRAFT),
                       blind=False, count_hlc=store.clock.tick(), started_at=now,
                       note=(note or "").strip() or None)]
            for pid in sorted(set(expected) | set(counted)):
                have, found = expected.get(pid, 0), counted.get(pid, 0)
                ops.append(put(COUNT_LINES, str(uuid.uuid5(uuid.UUID(count_id), pid)), count_id=count_id,
                               part_id=pid, counted=found, expected=have, variance=found - have))
            ctx.write(session, ops)
            # submitted in a change of its own (one change writes a field once): frozen from here
            ctx.write(session, [put(COUNTS, count_id, status=str(DocStatus.SUBMITTED), submitted_at=now)])
        return count_id

    # ---- helpers ----

    def _holder(self, session: Session, technician_id: str | None, *, issuing: bool = False) -> dict:
        """The technician whose bag this is: one of this outlet's (a leaver's bag can still
        be read and handed back, not filled); a technician only their own."""
        tech = self.ctx.user(technician_id)
        if not tech or tech.get("role") != Role.TECHNICIAN or tech.get("outlet_id") != self.ctx.outlet_id \
                or (issuing and not tech.get("active")):
            raise ServiceError.of("technician_invalid", field="technician_id")
        if session.technician and tech["id"] != session.user_id:
            raise ServiceError.of("not_your_bag")
        return tech

    def _lines(self, lines: Mapping[str, int]) -> list[tuple[dict, int]]:
        wanted = [(part_row(self.ctx, pid), _qty(qty)) for pid, qty in (lines or {}).items()]
        if not wanted:
            raise ServiceError.of("nothing_to_issue")
        return wanted

    def _move(self, session: Session, kind: MoveKind, tech: dict, wanted: list[tuple[dict, int]],
              into_bag: bool) -> str:
        ref, now, sign = pair_ref(tech["id"], str(uuid.uuid4())), self.ctx.now(), 1 if into_bag else -1
        ops = []
        for part, qty in wanted:
            common = {"outlet_id": self.ctx.outlet_id, "part_id": part["id"], "kind": str(kind), "ref": ref,
                      "note": _name(tech), "at": now}
            ops.append({"op": "add", "table": "stock_moves", "id": str(uuid.uuid4()),
                        "fields": {**common, "qty": -sign * qty}})
            ops.append({"op": "add", "table": "stock_moves", "id": str(uuid.uuid4()),
                        "fields": {**common, "qty": sign * qty, "holder": tech["id"]}})
        self.ctx.write(session, ops)
        return ref

    def _parts(self, ids: list[str]) -> list[dict]:
        if not ids:
            return []
        return self.ctx.query(f"SELECT * FROM parts WHERE id IN ({','.join('?' * len(ids))})", ids)


def _name(user: dict) -> str:
    return user.get("display_name") or user.get("username") or user["id"]
