"""The service order (派工单) state machine, drawn in docs/architecture.md; each transition
with the side that may command it. The hub validates every outlet event against it."""
from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    WAITING_PARTS = "waiting_parts"
    COMPLETED = "completed"
    CLOSED = "closed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class OrderType(StrEnum):
    REPAIR = "repair"
    INSTALL = "install"
    MAINTENANCE = "maintenance"
    INSPECTION = "inspection"


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


OUTLET, HUB = "outlet", "hub"

# (from, to) -> the side that commands it.
TRANSITIONS: dict[tuple[Status, Status], str] = {
    (Status.NEW, Status.ACCEPTED): OUTLET,
    (Status.NEW, Status.DECLINED): OUTLET,
    (Status.ACCEPTED, Status.SCHEDULED): OUTLET,
    (Status.ACCEPTED, Status.DECLINED): OUTLET,
    (Status.SCHEDULED, Status.EN_ROUTE): OUTLET,
    (Status.EN_ROUTE, Status.ON_SITE): OUTLET,
    (Status.ON_SITE, Status.WAITING_PARTS): OUTLET,
    (Status.WAITING_PARTS, Status.SCHEDULED): OUTLET,
    (Status.ON_SITE, Status.COMPLETED): OUTLET,
    (Status.COMPLETED, Status.CLOSED): HUB,
    (Status.DECLINED, Status.NEW): HUB,  # re-dispatch, usually to another outlet
    # HQ takes an active order back and re-dispatches it (an escalation, an outlet that
    # cannot do it): new again, at another outlet
    **{(s, Status.NEW): HUB for s in (
        Status.ACCEPTED, Status.SCHEDULED, Status.EN_ROUTE, Status.ON_SITE, Status.WAITING_PARTS)},
    **{(s, Status.CANCELLED): HUB for s in (
        Status.NEW, Status.ACCEPTED, Status.SCHEDULED, Status.EN_ROUTE, Status.ON_SITE,
        Status.WAITING_PARTS, Status.DECLINED)},
}

TERMINAL = frozenset({Status.CLOSED, Status.CANCELLED})
# An order created by the hub (dispatched) starts as new; one a customer phoned in to the
# outlet is created on the node and enters as accepted.
INITIAL = {HUB: Status.NEW, OUTLET: Status.ACCEPTED}
# SLA clocks pause while parts are awaited.
SLA_PAUSED = frozenset({Status.WAITING_PARTS})
OPEN = frozenset(Status) - TERMINAL - {Status.COMPLETED}


def can_transition(current: str | None, target: str, side: str) -> bool:
    """True when `side` may move an order from `current` to `target`."""
    if current is None:  # no status to move from
        return False
    try:
        return TRANSITIONS.get((Status(current), Status(target))) == side
    except ValueError:
        return False


def next_for(current: str, side: str) -> list[Status]:
    """The statuses `side` may move an order to from `current`, for action buttons."""
    return [to for (frm, to), who in TRANSITIONS.items() if frm == current and who == side]
