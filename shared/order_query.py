"""Ticket query (工单查询): the words and limits HQ's order search is built on, defined once
for the hub service (hub/services/order_query.py), its export and its screen.

- SLA state: what the escalation job recorded for the order (hub-only `hq_escalations`,
  shared/escalation.py): `ok` none, `warning` the outlet's manager was warned (75 % of a
  milestone's time used), `overdue` HQ was told (100 %). It stays with the order after
  it closes, so a closed order that ran late is still found as overdue.
- Sorts: by creation time or number, either way; a page is read by keyset (the last row's
  sort value and id), so every page costs the same however deep it is.
- The total is counted up to COUNT_CAP matching orders; beyond it the screen says
  "more than 10,000" (counting a million rows exactly would cost more than the page).
- An export holds at most EXPORT_LIMIT orders; a larger result is refused with a
  message (narrow the filters), never cut short silently."""
from enum import StrEnum

from shared.escalation import HQ_LEVEL, MANAGER_LEVEL

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
COUNT_CAP = 10_000
EXPORT_LIMIT = 20_000
TEXT_MIN = 2                 # a name or number fragment shorter than this finds too much
CUSTOMER_MATCH_LIMIT = 1_000  # customers a name or phone fragment may match


class SlaState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    OVERDUE = "overdue"


# The escalation level (hq_escalations.level) each state stands for.
SLA_LEVEL = {SlaState.WARNING: MANAGER_LEVEL, SlaState.OVERDUE: HQ_LEVEL}


class Sort(StrEnum):
    NEWEST = "newest"          # creation time, newest first (the default)
    OLDEST = "oldest"
    NUMBER = "number"          # order number A→Z
    NUMBER_DESC = "number_desc"


# sort → (column of service_orders, descending?)
SORT_KEYS: dict[Sort, tuple[str, bool]] = {
    Sort.NEWEST: ("created_at", True), Sort.OLDEST: ("created_at", False),
    Sort.NUMBER: ("number", False), Sort.NUMBER_DESC: ("number", True),
}

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "sla_state": {SlaState.OK: ("正常", "On time"), SlaState.WARNING: ("预警", "Warned"),
                  SlaState.OVERDUE: ("超时", "Overdue")},
    "sort": {Sort.NEWEST: ("最新在前", "Newest first"), Sort.OLDEST: ("最早在前", "Oldest first"),
             Sort.NUMBER: ("单号升序", "Number A→Z"), Sort.NUMBER_DESC: ("单号降序", "Number Z→A")},
}


def word(group: str, value, lang: str) -> str:
    zh, en = LABELS[group].get(value, (str(value), str(value)))
    return en if lang == "en" else zh


def count_text(n: int, capped: bool, lang: str) -> str:
    """The total as the screen writes it: "共 1,234 条" / "超过 10,000 条"."""
    if capped:
        return f"More than {COUNT_CAP:,} orders" if lang == "en" else f"超过 {COUNT_CAP:,} 条"
    if lang == "en":
        return f"{n:,} order" + ("" if n == 1 else "s")
    return f"共 {n:,} 条"
