"""The outlet's store: on hand per part (always Σ of the store's moves, never a stored
number; what the technicians carry is beside it, node/services/van_stock.py), low-stock
markers against the part's safety stock, the movement ledger, and what HQ shipped.

HQ ships by approving a parts request: the request's status becomes approved and its
lines carry `approved_qty`. Receiving (node/services/receiving.py) writes one `receipt` move
per line (ref = the request, note = its number) with an id derived from the line, and the
differences as a `receipt_discrepancies` row, so a shipment is received once. Until
received, approved quantities count as in transit."""
import uuid
from dataclasses import dataclass

from shared.documents import Decision, DocStatus
from shared.labels import label, ui_text
from shared.stock import MoveKind

from node.services.errors import ServiceError
from node.services.session import Session

RECEIPT_NS = uuid.UUID("0c7d3a52-8f5e-4d8b-a2a1-3b9d6c7e5f10")

# Approved requests of an outlet whose shipment has not been received yet.
_SHIPPED_SQL = f"""SELECT r.* FROM parts_requests r WHERE r.outlet_id = ? AND (r.status = '{DocStatus.APPROVED}'
    OR (COALESCE(r.status, '') != '{DocStatus.REJECTED}' AND EXISTS (SELECT 1 FROM approvals a
        WHERE a.subject_table = 'parts_requests' AND a.subject_id = r.id AND a.decision = '{Decision.APPROVED}')))"""
# Received: a receipt move, or (everything arrived damaged) only the reported discrepancy.
_RECEIVED = (f"(EXISTS (SELECT 1 FROM stock_moves m WHERE m.outlet_id = r.outlet_id "
             f"AND m.kind = '{MoveKind.RECEIPT}' AND m.ref = r.id) "
             "OR EXISTS (SELECT 1 FROM receipt_discrepancies d WHERE d.request_id = r.id))")


@dataclass(frozen=True, slots=True)
class StockLine:
    part_id: str
    sku: str
    name: str
    category: str
    unit_price: int
    on_hand: int
    safety_stock: int
    in_transit: int
    low: bool            # on hand below the safety stock
    in_bags: int = 0     # carried by the outlet's technicians, not in the store
    shelf: str = ""      # where it sits in the store (node/services/shelves.py)


@dataclass(frozen=True, slots=True)
class MoveLine:
    id: str
    at: int | None
    part_id: str
    sku: str
    name: str
    qty: int
    kind: str
    kind_label: str
    ref: str
    ref_label: str       # the order or request number the move belongs to
    note: str


@dataclass(frozen=True, slots=True)
class ShipmentLine:
    line_id: str
    part_id: str
    sku: str
    name: str
    approved_qty: int


@dataclass(frozen=True, slots=True)
class Shipment:
    request_id: str
    number: str
    decided_at: int | None
    comment: str
    received: bool
    lines: tuple[ShipmentLine, ...]
    summary: str         # what arrives, in one line: "排水泵×2，门封条×1"


def on_hand_all(ctx, holder: str | None = None) -> dict[str, int]:
    """part → on hand in one place: the store (`holder` None) or a technician's bag."""
    return {r[0]: r[1] for r in ctx.tuples(
        "SELECT part_id, SUM(qty) FROM stock_moves WHERE outlet_id = ? AND holder IS ? GROUP BY part_id",
        (ctx.outlet_id, holder))}


def in_bags_all(ctx) -> dict[str, int]:
    """part → how many the outlet's technicians carry, all bags together."""
    return {r[0]: r[1] for r in ctx.tuples(
        "SELECT part_id, SUM(qty) FROM stock_moves WHERE outlet_id = ? AND holder IS NOT NULL GROUP BY part_id",
        (ctx.outlet_id,))}


def outlet_total_all(ctx) -> dict[str, int]:
    """part → what the outlet holds anywhere (store and bags): what a parts request tops up."""
    return {r[0]: r[1] for r in ctx.tuples(
        "SELECT part_id, SUM(qty) FROM stock_moves WHERE outlet_id = ? GROUP BY part_id", (ctx.outlet_id,))}


def in_transit_all(ctx) -> dict[str, int]:
    rows = ctx.tuples(
        f"SELECT l.part_id, SUM(l.approved_qty) FROM ({_SHIPPED_SQL} AND NOT {_RECEIVED}) r "
        "JOIN parts_request_lines l ON l.request_id = r.id WHERE l.approved_qty > 0 GROUP BY l.part_id",
        (ctx.outlet_id,))
    return {r[0]: r[1] for r in rows}


def part_row(ctx, part_id: str) -> dict:
    part = ctx.one("SELECT * FROM parts WHERE id = ?", (part_id or "",))
    if part is None or part.get("active") == 0:
        raise ServiceError.of("part_unknown", field="part_id")
    return part


def latest_comment(ctx, table: str, row_id: str) -> tuple[str, int | None]:
    """HQ's latest word on a document: (comment, at) of its newest approvals row."""
    row = ctx.one("SELECT comment, at FROM approvals WHERE subject_table = ? AND subject_id = ? "
                  "ORDER BY at DESC, _hlc DESC LIMIT 1", (table, row_id))
    return ((row or {}).get("comment") or "", (row or {}).get("at"))


class Stock:
    def __init__(self, ctx):
        self.ctx = ctx

    def levels(self, session: Session, low_only: bool = False) -> tuple[StockLine, ...]:
        """Every part the store holds, has held, expects, or must keep a safety stock of, and
        every part a technician carries (on hand is the store's; `in_bags` beside it)."""
        ctx = self.ctx
        have, transit, carried = on_hand_all(ctx), in_transit_all(ctx), in_bags_all(ctx)
        ids = set(have) | set(transit) | {pid for pid, n in carried.items() if n}
        ids |= {r[0] for r in ctx.tuples(
            "SELECT id FROM parts WHERE safety_stock > 0 AND COALESCE(active, 1) != 0")}
        parts = {p["id"]: p for p in self._parts(ids)}
        shelves = {r[0]: r[1] for r in ctx.tuples(
            "SELECT part_id, shelf FROM part_shelves WHERE outlet_id = ? AND shelf IS NOT NULL", (ctx.outlet_id,))}
        out = []
        for pid in ids:
            p = parts.get(pid, {})
            safety = p.get("safety_stock") or 0
            line = StockLine(pid, p.get("sku") or pid, p.get("name") or pid, p.get("category") or "",
                             p.get("unit_price") or 0, have.get(pid, 0), safety, transit.get(pid, 0),
                             have.get(pid, 0) < safety, carried.get(pid, 0), shelves.get(pid, ""))
            if line.low or not low_only:
                out.append(line)
        return tuple(sorted(out, key=lambda s: (not s.low, s.category, s.sku)))

    def _parts(self, ids) -> list[dict]:
        ids = list(ids)
        out = []
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            out += self.ctx.query(f"SELECT * FROM parts WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        return out

    def ledger(self, session: Session, part_id: str | None = None, kind: str | None = None,
               limit: int = 100, offset: int = 0, holder: str | None = None) -> tuple[MoveLine, ...]:
        """The moves of one place: the store (`holder` None) or a technician's bag (a
        technician reads only their own)."""
        if session.technician and holder not in (None, session.user_id):
            raise ServiceError.of("not_your_bag")
        where, params = ["m.outlet_id = ?", "m.holder IS ?"], [self.ctx.outlet_id, holder]
        if part_id:
            where.append("m.part_id = ?")
            params.append(part_id)
        if kind:
            where.append("m.kind = ?")
            params.append(kind)
        rows = self.ctx.query(
            "SELECT m.*, p.sku, p.name, COALESCE(so.number, so2.number, r.number) AS ref_label "
            "FROM stock_moves m LEFT JOIN parts p ON p.id = m.part_id "
            "LEFT JOIN service_orders so ON m.kind = 'consume' AND so.id = m.ref "
            "LEFT JOIN order_parts op ON m.kind = 'return' AND op.id = m.ref "
            "LEFT JOIN service_orders so2 ON so2.id = op.order_id "
            "LEFT JOIN parts_requests r ON m.kind = 'receipt' AND r.id = m.ref "
            f"WHERE {' AND '.join(where)} ORDER BY m.at DESC, m._hlc DESC LIMIT ? OFFSET ?",
            (*params, limit, offset))
        return tuple(MoveLine(r["id"], r["at"], r["part_id"], r["sku"] or r["part_id"], r["name"] or r["part_id"],
                              r["qty"], r["kind"], label("move_kind", r["kind"], session.lang), r["ref"] or "",
                              r["ref_label"] or r["note"] or "", r["note"] or "") for r in rows)

    def shipments(self, session: Session, include_received: bool = False) -> tuple[Shipment, ...]:
        """What HQ approved for this outlet (newest first); by default only what has not
        been received yet."""
        sql = f"SELECT r.*, {_RECEIVED} AS received FROM ({_SHIPPED_SQL}) r"
        if not include_received:
            sql += f" WHERE NOT {_RECEIVED}"
        out = []
        for r in self.ctx.query(sql + " ORDER BY r.decided_at DESC, r.number DESC", (self.ctx.outlet_id,)):
            comment, at = latest_comment(self.ctx, "parts_requests", r["id"])
            lines = self.ctx.query(
                "SELECT l.*, p.sku, p.name FROM parts_request_lines l LEFT JOIN parts p ON p.id = l.part_id "
                "WHERE l.request_id = ? AND l.approved_qty > 0 ORDER BY p.sku", (r["id"],))
            items = tuple(ShipmentLine(row["id"], row["part_id"], row["sku"] or row["part_id"],
                                       row["name"] or row["part_id"], row["approved_qty"]) for row in lines)
            summary = ui_text("list_sep", session.lang).join(f"{i.name}×{i.approved_qty}" for i in items)
            out.append(Shipment(r["id"], r["number"] or "", r["decided_at"] or at, comment, bool(r["received"]),
                                items, summary))
        return tuple(out)
