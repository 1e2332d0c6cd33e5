"""What one order contributes to the report roll-ups (its *fact*): pure functions over the
order, its events, parts and complaints, using the same SLA clock (shared/sla.py) and repeat
repair rule (shared/fees.py) as the rest of the system. Kept apart from the storage so that
the incremental fold and the full rebuild compute every fact the same way."""
from functools import lru_cache

from shared.fees import CallbackResult, is_repeat_repair
from shared.orders import OUTLET, Status
from shared.periods import DAY_MS, period_of
from shared.reports import REPEAT_DAYS
from shared.sla import ACCEPT, COMPLETE, ON_SITE, policy_for, sla_clock

DONE = (Status.COMPLETED, Status.CLOSED)

# The additive measures of a fact, summed into hq_rollup_orders_month.
MEASURES = (
    "orders", "completed", "complained", "callbacks", "satisfied", "unsatisfied", "unreachable",
    "scored", "score_sum", "with_parts", "parts_qty", "sla_due", "sla_met",
    "accept_due", "accept_met", "on_site_due", "on_site_met", "complete_due", "complete_met",
    "timed", "on_time", "waited", "ftf", "repairs", "repeats", "handled", "handle_ms")
# The roll-up's key: ids, never names, so renaming an outlet or moving it to another region
# needs no refold (reports join the small reference tables at read time).
KEY = ("outlet_id", "model_id", "month")
# Columns of hq_rollup_facts besides the key and the measures: `day` (local days since
# 1970-01-01 of the order's creation: the analysis's week and day grains), the technician
# and the agent (the HQ user whose call created the order) the people reports group by.
EXTRA = ("type", "serial_no", "completed_at", "next_due_at", "day", "technician_id", "agent_id")
_ZERO = dict.fromkeys(MEASURES, 0)


class Policies:
    """The SLA policies with `policy_for` remembered per (type, priority)."""

    def __init__(self, rows: list[dict]):
        self.rows, self._memo = rows, {}

    def get(self, order_type, priority) -> dict | None:
        key = (order_type, priority)
        if key not in self._memo:
            self._memo[key] = policy_for(self.rows, order_type, priority)
        return self._memo[key]


@lru_cache(maxsize=4096)
def _month_of_day(local_day: int) -> str:
    return period_of(local_day * DAY_MS - 8 * 3_600_000)


def order_day(order: dict, events: list[tuple[str, int]]) -> int | None:
    """The local day (UTC+8) an order counts in: its creation's, else its first event's."""
    at = order.get("created_at")
    if not isinstance(at, int):
        at = min((a for _, a in events if isinstance(a, int)), default=None)
    return (at + 8 * 3_600_000) // DAY_MS if at is not None else None


def order_month(order: dict, events: list[tuple[str, int]]) -> str:
    """The month an order counts in (`order_day`'s)."""
    day = order_day(order, events)
    return _month_of_day(day) if day is not None else ""


def base_fact(order: dict, events: list[tuple[str, int]], parts: dict[str, tuple[int, int]],
              complaints: int, policies: Policies, now: int) -> dict:
    """The order's fact without the serial-number measures (ftf, repeats: `serial_flags`).
    `events`: (to_status, at); `parts`: part_id → (qty, lines); the order carries `agent_id`
    (rollups.py reads it from the order's first repair / install call)."""
    status = order.get("status")
    done = status in DONE
    completed_at = min((a for s, a in events if s == Status.COMPLETED and isinstance(a, int)), default=None)
    result, score = order.get("callback_result"), order.get("callback_score")
    f = dict(_ZERO)
    day = order_day(order, events)
    f.update(order_id=order["id"], outlet_id=order.get("outlet_id") or "",
             model_id=order.get("product_model_id") or "", month=_month_of_day(day) if day is not None else "",
             type=order.get("type") or "", serial_no=order.get("serial_no") or "",
             completed_at=completed_at, next_due_at=None, day=day,
             technician_id=order.get("technician_id") or "", agent_id=order.get("agent_id") or "")
    f["orders"] = 1
    f["completed"] = int(done)
    f["complained"] = int(complaints > 0)
    f["callbacks"] = int(bool(result))
    f["satisfied"] = int(result == CallbackResult.SATISFIED)
    f["unsatisfied"] = int(result == CallbackResult.UNSATISFIED)
    f["unreachable"] = int(result == CallbackResult.UNREACHABLE)
    if isinstance(score, int):
        f["scored"], f["score_sum"] = 1, score
    f["with_parts"] = int(bool(parts))
    f["parts_qty"] = sum(q for q, _ in parts.values())
    f["waited"] = int(any(s == Status.WAITING_PARTS for s, _ in events))
    f["repairs"] = int(done and order.get("type") == "repair")
    clock = sla_clock(created_at=order.get("created_at"),
                      policy=policies.get(order.get("type"), order.get("priority")),
                      status=status, events=events, now=now,
                      accepted_at_creation=order.get("source") == OUTLET)
    for m in (clock.milestones if clock else ()):
        decided = m.met or m.breached   # met (on time or late), or overdue / stopped overdue
        col = {ACCEPT: "accept", ON_SITE: "on_site", COMPLETE: "complete"}[m.name]
        if decided:
            ok = int(m.met and not m.breached)
            f[f"{col}_due"] += 1
            f[f"{col}_met"] += ok
            f["sla_due"] += 1
            f["sla_met"] += ok
        elif m.running and m.due_at is not None:
            # Not due yet: the fold looks at the order again once this time has passed.
            f["next_due_at"] = m.due_at if f["next_due_at"] is None else min(f["next_due_at"], m.due_at)
        if m.name == COMPLETE and m.met and done:
            f["timed"] = 1
            f["on_time"] = int(not m.breached)
    f["ftf"] = int(done and not f["waited"])
    # handling time: from the order's creation to its completion (device time, never negative)
    created = order.get("created_at")
    if done and isinstance(created, int) and completed_at is not None:
        f["handled"], f["handle_ms"] = 1, max(0, completed_at - created)
    return f


def serial_flags(fact: dict, group: list[dict]) -> None:
    """Set `repeats` (this repair repeats one of the same serial within REPEAT_DAYS) and `ftf`
    (completed, never waited for parts, and no repeat repair followed) from the orders of the
    same serial number: dicts with id, type, serial_no, completed_at."""
    me = {"id": fact["order_id"], "type": fact["type"], "serial_no": fact["serial_no"],
          "completed_at": fact["completed_at"]}
    fact["repeats"] = int(bool(fact["completed"]) and is_repeat_repair(me, group, REPEAT_DAYS))
    followed = any(g.get("id") != me["id"] and is_repeat_repair(g, [me], REPEAT_DAYS) for g in group)
    fact["ftf"] = int(bool(fact["completed"]) and not fact["waited"] and not followed)
