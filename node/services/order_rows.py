"""Reading orders the way every order service needs them: the status a person should see
(an order phoned in to this outlet shows `accepted` before HQ has set it), this outlet's
order or a clear refusal, and the SLA clocks worked out offline."""
from shared import sla
from shared.orders import INITIAL, OUTLET, Status
from shared.roles import OFFICE

from node.services.errors import ServiceError
from node.services.guards import own_row
from node.services.session import Session

# An outlet-made order has no status until the hub sets its initial one (accepted): the
# node sets no hub field, it only shows the status the order will have.
DISPLAY_STATUS_SQL = (f"COALESCE(o.status, CASE WHEN o.source = '{OUTLET}' "
                      f"THEN '{INITIAL[OUTLET]}' END)")


def display_status(order: dict) -> str | None:
    if order.get("status"):
        return order["status"]
    return str(INITIAL[OUTLET]) if order.get("source") == OUTLET else None


def own_order(ctx, order_id: str) -> dict:
    order = own_row(ctx, "service_orders", order_id)
    order["display_status"] = display_status(order)
    return order


def may_work_on(session: Session, order: dict) -> bool:
    """A technician works on the orders assigned to them (or not yet assigned); the
    office works on every order of the outlet."""
    return session.role in OFFICE or order.get("technician_id") in (None, session.user_id)


def check_technician(ctx, session: Session, order: dict) -> None:
    if may_work_on(session, order):
        return
    tech = ctx.user(order["technician_id"]) or {}
    name = tech.get("display_name") or tech.get("username") or order["technician_id"]
    raise ServiceError.of("not_your_order", technician=name)


class SlaBook:
    """Policies read once per request; clocks per order."""

    def __init__(self, ctx):
        self.policies = ctx.reference("sla_policies")
        self._policy: dict[tuple, dict | None] = {}
        self._offset: dict[tuple, int | None] = {}  # (type, priority, status) -> due - created_at

    def policy(self, order: dict) -> dict | None:
        key = (order.get("type"), order.get("priority"))
        if key not in self._policy:
            self._policy[key] = sla.policy_for(self.policies, *key)
        return self._policy[key]

    def clock(self, order: dict, events: list[tuple[str, int]], now: int) -> sla.SlaClock | None:
        return sla.sla_clock(created_at=order.get("created_at"), policy=self.policy(order),
                             status=display_status(order), events=events, now=now,
                             accepted_at_creation=order.get("source") == OUTLET)

    def overdue_without_pauses(self, order: dict, now: int) -> bool:
        """`clock(...).overdue` for an order that never waited for parts, cheaply: its due
        time is created_at + an offset that depends only on (type, priority, status), so
        the offset is worked out once per combination, not once per order."""
        created = order.get("created_at")
        if created is None:
            return False
        status = display_status(order)
        key = (order.get("type"), order.get("priority"), status)
        if key not in self._offset:
            nxt = sla.running_due(created_at=0, policy=self.policy(order), status=status)
            self._offset[key] = nxt[1] if nxt is not None else None
        offset = self._offset[key]
        return offset is not None and created + offset < now


def events_by_order(ctx, order_ids, only_paused: bool = False) -> dict[str, list[tuple[str, int]]]:
    """(to_status, at) per order; `only_paused`: just the orders that ever waited for
    parts (the only ones whose clocks need their events when the status says the rest)."""
    ids = list(order_ids)
    if only_paused:
        paused = {r[0] for r in ctx.store.conn.execute(
            "SELECT DISTINCT order_id FROM order_events WHERE to_status = ?", (str(Status.WAITING_PARTS),))}
        ids = [i for i in ids if i in paused]
    out: dict[str, list] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for oid, to_status, at in ctx.store.conn.execute(
                f"SELECT order_id, to_status, at FROM order_events WHERE order_id IN ({','.join('?' * len(chunk))})",
                chunk):
            out.setdefault(oid, []).append((to_status, at))
    return out
