"""Reading orders the way every order service needs them: the status a person should see
(an order phoned in to this outlet shows `accepted` before HQ has set it), this outlet's
order or a clear refusal, and the SLA clocks worked out offline."""
from shared import sla
from shared.labels import in_sentence, pair
from shared.orders import INITIAL, OUTLET, Status
from shared.roles import OFFICE

from node.services.errors import ServiceError
from node.services.guards import own_row
from node.services.session import Session

# An outlet-made order has no status until the hub sets its initial one (accepted): the
# node sets no hub field, it only shows the status the order will have.
DISPLAY_STATUS_SQL = (f"COALESCE(o.status, CASE WHEN o.source = '{OUTLET}' "
                      f"THEN '{INITIAL[OUTLET]}' END)")


def finished(order: dict, action: str) -> ServiceError:
    """The refusal of `action` on an order that is over. One HQ cancelled says so with
    HQ's reason (the clerk would otherwise only see "cancelled" and phone HQ to ask why)."""
    if order.get("display_status") == Status.CANCELLED:
        return ServiceError.of("order_cancelled", reason=cancel_reason(order), action=pair("action", action))
    return ServiceError.of("order_finished", status=in_sentence("status", order["display_status"]),
                           action=pair("action", action))


def cancel_reason(order: dict) -> str | tuple[str, str]:
    """HQ's reason for cancelling (`closed_reason`), or words saying it gave none."""
    return (order.get("closed_reason") or "").strip() or ("未说明原因", "no reason given")


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

    def policy(self, order: dict) -> dict | None:
        key = (order.get("type"), order.get("priority"))
        if key not in self._policy:
            self._policy[key] = sla.policy_for(self.policies, *key)
        return self._policy[key]

    def clock(self, order: dict, events: list[tuple[str, int]], now: int) -> sla.SlaClock | None:
        return sla.sla_clock(created_at=order.get("created_at"), policy=self.policy(order),
                             status=display_status(order), events=events, now=now,
                             accepted_at_creation=order.get("source") == OUTLET)

    def running_offset_sql(self, statuses) -> tuple[str, list]:
        """SQL for `due - created_at` of an order (alias `o`) that never waited for parts,
        NULL where no clock runs (shared/sla.py running_case_sql, on the display status)."""
        return sla.running_case_sql(self.policies, statuses, DISPLAY_STATUS_SQL)


def events_by_order(ctx, order_ids) -> dict[str, list[tuple[str, int]]]:
    """(to_status, at) per order, for the orders' SLA clocks."""
    ids = list(order_ids)
    out: dict[str, list] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for oid, to_status, at in ctx.tuples(
                f"SELECT order_id, to_status, at FROM order_events WHERE order_id IN ({','.join('?' * len(chunk))})",
                chunk):
            out.setdefault(oid, []).append((to_status, at))
    return out
