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
