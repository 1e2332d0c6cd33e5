"""What HQ pays an outlet for an order: the fee rule for (order type, product category)
gives the visit and labour fees; parts used in warranty are paid at catalog price. The
node drafts a settlement with these rules and the hub recomputes it with the same ones."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Fees:
    parts_fee: int
    visit_fee: int
    labour_fee: int
    rule_id: str | None       # None: no rule matched; the fees are 0 and the line says so


def match_rule(rules: list[dict], order_type: str | None, category: str | None) -> dict | None:
    """The active rule for (type, category); a rule without a category covers every
    category of its type when no exact rule exists."""
    active = [r for r in rules if r.get("active") is not False and r.get("type") == order_type]
    exact = sorted((r for r in active if r.get("category") == category and category),
                   key=lambda r: r["id"])
    if exact:
        return exact[0]
    wildcard = sorted((r for r in active if not r.get("category")), key=lambda r: r["id"])
    return wildcard[0] if wildcard else None


def parts_fee(parts: list[tuple[int, int | None, bool | None]]) -> int:
    """Σ qty × unit price of the parts used in warranty: (qty, unit_price, in_warranty)."""
    return sum(int(qty) * int(price or 0) for qty, price, in_warranty in parts if in_warranty)


def order_fees(rules: list[dict], order_type: str | None, category: str | None,
               parts: list[tuple[int, int | None, bool | None]]) -> Fees:
    rule = match_rule(rules, order_type, category)
    return Fees(parts_fee=parts_fee(parts),
                visit_fee=int((rule or {}).get("visit_fee") or 0),
                labour_fee=int((rule or {}).get("labour_fee") or 0),
                rule_id=(rule or {}).get("id"))


def line_total(line: dict) -> int:
    """A settlement line's amount: fees − deduction + adjustment (all fen)."""
    return (sum(int(line.get(k) or 0) for k in ("parts_fee", "visit_fee", "labour_fee"))
            - int(line.get("deduction") or 0) + int(line.get("adjustment") or 0))


def settlement_total(lines: list[dict]) -> int:
    return sum(line_total(line) for line in lines)


# ---- deductions from callbacks (回访) ----

class CallbackResult:
    """What HQ's callback found, kept on the order (service_orders.callback_result, a hub
    field) so that the node's draft and the hub's recomputation deduct alike."""
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"
    UNREACHABLE = "unreachable"


def is_repeat_repair(order: dict, earlier: list[dict], days: int | None) -> bool:
    """A repair of the same appliance (serial number) completed within `days` after an
    earlier repair of it was completed. `order` and `earlier` carry `serial_no`, `type`
    and `completed_at` (epoch ms); orders without a serial number never count."""
    if not days or order.get("type") != "repair" or not order.get("serial_no") or not order.get("completed_at"):
        return False
    window = int(days) * 86_400_000
    return any(e.get("serial_no") == order["serial_no"] and e.get("type") == "repair" and e.get("completed_at")
               and e.get("id") != order.get("id")
               and 0 <= order["completed_at"] - e["completed_at"] <= window for e in earlier)


def order_deduction(rule: dict | None, fees: Fees, *, callback_result: str | None,
                    repeat_repair: bool) -> tuple[int, str]:
    """(deduction in fen, reason code) for one settlement line: the fee rule's percentage of
    the visit + labour fees for an unsatisfied callback and for a repeat repair (both may
    apply; parts are never deducted). Reason codes: "" | "unsatisfied" | "repeat_repair" |
    "unsatisfied+repeat_repair"."""
    base = fees.visit_fee + fees.labour_fee
    pct, reasons = 0, []
    if callback_result == CallbackResult.UNSATISFIED:
        pct += int((rule or {}).get("unsatisfied_deduction_pct") or 0)
        reasons.append("unsatisfied")
    if repeat_repair:
        pct += int((rule or {}).get("repeat_repair_deduction_pct") or 0)
        reasons.append("repeat_repair")
    return min(base, base * pct // 100), "+".join(reasons)
