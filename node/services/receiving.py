"""Receiving a shipment line by line. The clerk opens a shipment HQ approved (its lines with
the shipped quantity), enters per line what arrived in good order, what arrived damaged and
any pieces beyond the shipped quantity, and confirms once. Good and extra pieces go into the
store as `receipt` moves (node/services/stock.py); damaged ones do not. Every difference —
short, damaged, extra — goes to HQ in one `receipt_discrepancies` row, which HQ settles in
its approvals inbox (hub/services/approve_receipts.py) and whose decision and comment come
back to the outlet.

Both the moves and the discrepancy have ids derived from the request (and line), so a
receipt is booked once: again on this node it is refused here; from a second node, the hub
refuses the conflicting moves and the discrepancy's lines are set once, so a late or
repeated sync never posts a shipment or its differences twice."""
import json
import uuid
from dataclasses import dataclass

from shared.approvals import Subject
from shared.documents import DocStatus
from shared.labels import label, ui_text
from shared.stock import MoveKind

from node.services import guards
from node.services.documents import put
from node.services.errors import ServiceError
from node.services.session import Session
from node.services.stock import RECEIPT_NS, Shipment, Stock, latest_comment

DISCREPANCY_NS = uuid.UUID("6e1d2c4b-3a59-4f7e-9b8d-0c1a2e3f4d57")
TABLE = str(Subject.RECEIPT)


def discrepancy_id(request_id: str) -> str:
    return str(uuid.uuid5(DISCREPANCY_NS, request_id))


@dataclass(frozen=True, slots=True)
class Arrived:
    """What the clerk found for one shipment line."""
    received: int        # good pieces of the shipped ones (into stock)
    damaged: int = 0     # pieces that arrived damaged (not into stock)
    extra: int = 0       # pieces beyond the shipped quantity (into stock)


@dataclass(frozen=True, slots=True)
class DiscrepancyLine:
    part_id: str
    sku: str
    name: str
    shipped: int
    received: int
    damaged: int
    extra: int

    @property
    def short(self) -> int:
        return max(0, self.shipped - self.received - self.damaged)


@dataclass(frozen=True, slots=True)
class DiscrepancyView:
    id: str
    request_id: str
    number: str          # the request's
    status: str
    status_label: str    # 待总部处理 until HQ settles it
    comment: str         # HQ's word
    reported_at: int | None
    lines: tuple[DiscrepancyLine, ...]
    summary: str         # "排水泵 短少1，门封条 破损1"


def describe(lines, lang: str) -> str:
    """The differences in words, one part after another."""
    parts = []
    for x in lines:
        bits = [ui_text(key, lang, n=n) for key, n in (("short_n", x.short), ("damaged_n", x.damaged),
                                                         ("extra_n", x.extra)) if n]
        if bits:
            parts.append(f"{x.name} {' '.join(bits)}")
    return ui_text("list_sep", lang).join(parts)


class Receiving:
    def __init__(self, ctx):
        self.ctx = ctx
        self.stock = Stock(ctx)

    def shipment(self, session: Session, request_id: str) -> Shipment:
        """A shipment to receive, its lines with the shipped quantity."""
        guards.own_row(self.ctx, "parts_requests", request_id)
        found = next((s for s in self.stock.shipments(session, include_received=True)
                      if s.request_id == request_id), None)
        if found is None or not found.lines:
            raise ServiceError.of("not_shipped")
        return found

    def receive(self, session: Session, request_id: str, arrived: dict[str, Arrived] | None = None,
                note: str | None = None) -> DiscrepancyView | None:
        """Book what arrived (line id → Arrived; a line not named arrived whole). Returns
        the discrepancy sent to HQ, or None when everything arrived as shipped."""
        ctx = self.ctx
        guards.require_add(session, "stock_moves", "receive", kind=MoveKind.RECEIPT)
        request = guards.own_row(ctx, "parts_requests", request_id)
        shipment = self.shipment(session, request_id)
        if shipment.received:
            raise ServiceError.of("already_received")
        arrived = arrived or {}
        ops, lines, now = [], [], ctx.now()
        for line in shipment.lines:
            got = arrived.get(line.line_id, Arrived(line.approved_qty))
            for name in ("received", "damaged", "extra"):
                n = getattr(got, name)
                if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                    raise ServiceError.of("bad_received", field=line.line_id, part=line.name,
                                          what=(label("ui", name, "zh"), label("ui", name, "en").lower()))
            if got.received + got.damaged > line.approved_qty:
                raise ServiceError.of("receive_too_many", field=line.line_id, part=line.name,
                                      approved=line.approved_qty)
            into_stock = got.received + got.extra
            if into_stock:
                ops.append({"op": "add", "table": "stock_moves", "id": str(uuid.uuid5(RECEIPT_NS, line.line_id)),
                            "fields": {"outlet_id": ctx.outlet_id, "part_id": line.part_id, "qty": into_stock,
                                       "kind": str(MoveKind.RECEIPT), "ref": request_id,
                                       "note": request.get("number"), "at": now}})
            lines.append(DiscrepancyLine(line.part_id, line.sku, line.name, line.approved_qty, got.received,
                                         got.damaged, got.extra))
        differs = [x for x in lines if x.short or x.damaged or x.extra]
        if differs:
            guards.require_put(session, TABLE, ["outlet_id", "request_id", "lines"], True, "receive")
            ops.append(put(TABLE, discrepancy_id(request_id), outlet_id=ctx.outlet_id, request_id=request_id,
                           reported_at=now, note=(note or "").strip() or None,
                           lines=[{"part_id": x.part_id, "shipped": x.shipped, "received": x.received,
                                   "damaged": x.damaged, "extra": x.extra} for x in differs]))
        if not ops:
            raise ServiceError.of("bad_qty")
        guards.storable_text(ops)
        ctx.write(session, ops)
        return self.discrepancy(session, request_id) if differs else None

    def discrepancy(self, session: Session, request_id: str) -> DiscrepancyView | None:
        row = self.ctx.one(f"SELECT * FROM {TABLE} WHERE id = ?", (discrepancy_id(request_id),))
        return self._view(session, row) if row else None

    def discrepancies(self, session: Session, limit: int = 20) -> tuple[DiscrepancyView, ...]:
        """The outlet's reported differences, newest first, with HQ's word on each."""
        rows = self.ctx.query(f"SELECT * FROM {TABLE} WHERE outlet_id = ? ORDER BY reported_at DESC LIMIT ?",
                              (self.ctx.outlet_id, limit))
        return tuple(self._view(session, r) for r in rows)

    def _view(self, session: Session, row: dict) -> DiscrepancyView:
        ctx = self.ctx
        raw = _json_list(row.get("lines"))
        ids = [x.get("part_id") for x in raw if isinstance(x, dict)]
        parts = {p["id"]: p for p in ctx.query(
            f"SELECT id, sku, name FROM parts WHERE id IN ({','.join('?' * len(ids))})", ids)}
        lines = tuple(DiscrepancyLine(x["part_id"], parts.get(x["part_id"], {}).get("sku") or x["part_id"],
                                      parts.get(x["part_id"], {}).get("name") or x["part_id"],
                                      int(x.get("shipped") or 0), int(x.get("received") or 0),
                                      int(x.get("damaged") or 0), int(x.get("extra") or 0))
                      for x in raw if isinstance(x, dict) and x.get("part_id"))
        number = ctx.scalar("SELECT number FROM parts_requests WHERE id = ?", (row.get("request_id") or "",)) or ""
        status = row.get("status") or DocStatus.SUBMITTED
        status_label = (ui_text("awaiting_hq", session.lang) if status == DocStatus.SUBMITTED
                        else label("doc_status", status, session.lang))
        comment, _ = latest_comment(ctx, TABLE, row["id"])
        return DiscrepancyView(row["id"], row.get("request_id") or "", number, status, status_label, comment,
                               row.get("reported_at"), lines, describe(lines, session.lang))


def _json_list(value) -> list:
    """A JSON column as the replica holds it (text) or as decoded."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return value if isinstance(value, list) else []
