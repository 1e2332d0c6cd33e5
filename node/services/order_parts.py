"""Parts used on an order. Using a part is one change with two ledger rows: the
`order_parts` line (old and new serial, in-warranty flag) and the `consume` stock move
(qty −n, ref = the order), so the order and the stock never disagree. A technician uses
what they carry: the move is in their bag (`holder`), and a part they do not carry is
refused in words; a clerk or manager recording a part used at the counter takes it from
the outlet's store.

The defective part taken out of the appliance is not sellable stock: returning it records
a `return` stock move with qty 0 (on-hand is unchanged) whose ref is the order part, with
the old serial as its note. It tells HQ the old part is at the outlet awaiting return; its
id is derived from the order part, so it can be recorded once only (a second node that
records it too is refused by the hub as a conflicting ledger row)."""
import uuid

from shared.labels import in_sentence, pair, ui_text
from shared.orders import Status
from shared.periods import local_date
from shared.stock import MoveKind, on_hand
from shared.warranty import IN, warranty_status

from node.services import guards
from node.services.errors import ServiceError
from node.services.order_rows import check_technician, own_order
from shared.choices import Choice
from node.services.session import Session
from node.services.stock import part_row

RETURN_NS = uuid.UUID("6f2b7f0e-5d1c-4c59-9a43-6a8e2f4c1b70")


def _int_qty(qty) -> int:
    if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
        raise ServiceError.of("bad_qty", field="qty")
    return qty


class OrderParts:
    def __init__(self, ctx):
        self.ctx = ctx

    def use_part(self, session: Session, order_id: str, part_id: str, qty: int = 1, *,
                 old_serial: str | None = None, new_serial: str | None = None,
                 in_warranty: bool | None = None) -> str:
        """Record a part fitted on site; `in_warranty` defaults to the appliance's warranty
        (unknown counts as out: HQ pays for a part only when the warranty is shown).
        Returns the order part id."""
        ctx = self.ctx
        order = own_order(ctx, order_id)
        guards.require_add(session, "order_parts", "use_part")
        guards.require_add(session, "stock_moves", "use_part", kind=MoveKind.CONSUME)
        check_technician(ctx, session, order)
        if order["display_status"] != Status.ON_SITE:
            raise ServiceError.of("need_status", status=in_sentence("status", order["display_status"]),
                                  needed=in_sentence("status", Status.ON_SITE), action=pair("action", "use_part"))
        part = part_row(ctx, part_id)
        qty = _int_qty(qty)
        holder = session.user_id if session.technician else None
        have = on_hand(ctx.store, part_id, holder)
        if holder is not None and have <= 0:
            raise ServiceError.of("not_carried", field="part_id", part=part["name"] or part_id)
        if holder is not None and have < qty:
            raise ServiceError.of("bag_short", field="qty", part=part["name"] or part_id, have=have, qty=qty)
        if have < qty:
            raise ServiceError.of("insufficient_stock", field="qty", part=part["name"] or part_id,
                                  on_hand=have, qty=qty)
        if in_warranty is None:
            model = ctx.one("SELECT * FROM product_models WHERE id = ?", (order.get("product_model_id") or "",)) or {}
            w = warranty_status(order.get("purchase_date"), model.get("warranty_months"),
                                model.get("category"), local_date(ctx.now()))
            in_warranty = w.state == IN
        now, line_id = ctx.now(), str(uuid.uuid4())
        ctx.write(session, [
            {"op": "add", "table": "order_parts", "id": line_id, "fields": {
                "order_id": order["id"], "part_id": part_id, "qty": qty,
                "old_serial": (old_serial or "").strip() or None, "new_serial": (new_serial or "").strip() or None,
                "in_warranty": bool(in_warranty), "at": now}},
            {"op": "add", "table": "stock_moves", "id": str(uuid.uuid4()), "fields": {
                "outlet_id": ctx.outlet_id, "part_id": part_id, "qty": -qty, "kind": str(MoveKind.CONSUME),
                "ref": order["id"], "note": order.get("number"), "at": now,
                **({"holder": holder} if holder else {})}},  # the store's moves: as release 0.1.0 wrote them
        ])
        return line_id

    def choices(self, session: Session, order_id: str) -> tuple[Choice, ...]:
        """The parts to pick from for the order, each with what there is of it — a
        technician's: in their bag; a clerk's: in the store. The appliance's category
        comes first, and all its parts are offered, those with none here marked so
        ("无库存", "未随车") rather than left out: a technician looking for the drain pump
        sees that it is not in the bag, instead of finding nothing. Parts of other
        categories are offered when there are some here (screws, tape, a part that fits
        several kinds). Picking one there is none of is refused by `use_part`, in words."""
        ctx = self.ctx
        order = own_order(ctx, order_id)
        category = ctx.scalar("SELECT category FROM product_models WHERE id = ?",
                              (order.get("product_model_id") or "",))
        holder = session.user_id if session.technician else None
        rows = ctx.query(
            "SELECT p.id, p.sku, p.name, p.category, COALESCE(s.on_hand, 0) AS on_hand FROM parts p "
            "LEFT JOIN (SELECT part_id, SUM(qty) AS on_hand FROM stock_moves WHERE outlet_id = ? AND holder IS ? "
            "GROUP BY part_id) s ON s.part_id = p.id "
            "WHERE COALESCE(p.active, 1) != 0 AND (s.on_hand > 0 OR (p.category = ? AND ? IS NOT NULL))",
            (ctx.outlet_id, holder, category, category))
        rows.sort(key=lambda p: (p["category"] != category, p["on_hand"] <= 0, p["category"] or "",
                                 p["name"] or p["id"]))
        have, none = ("part_carried", "part_not_carried") if holder else ("part_on_hand", "part_no_stock")
        return tuple(Choice(p["id"], ui_text(have if p["on_hand"] > 0 else none, session.lang,
                                             name=p["name"] or p["id"], sku=p["sku"] or p["id"], n=p["on_hand"]))
                     for p in rows)

    def return_defective(self, session: Session, order_part_id: str) -> str:
        """The old part is back at the outlet; returns the stock move id."""
        ctx = self.ctx
        line = guards.own_row(ctx, "order_parts", order_part_id)
        order = own_order(ctx, line["order_id"])
        guards.require_add(session, "stock_moves", "return_part", kind=MoveKind.RETURN)
        check_technician(ctx, session, order)
        move_id = str(uuid.uuid5(RETURN_NS, order_part_id))
        if ctx.scalar("SELECT 1 FROM stock_moves WHERE id = ? OR (kind = 'return' AND ref = ?)",
                      (move_id, order_part_id)):
            raise ServiceError.of("already_returned")
        ctx.write(session, [{"op": "add", "table": "stock_moves", "id": move_id, "fields": {
            "outlet_id": ctx.outlet_id, "part_id": line["part_id"], "qty": 0, "kind": str(MoveKind.RETURN),
            "ref": order_part_id, "note": line.get("old_serial"), "at": ctx.now()}}])
        return move_id
