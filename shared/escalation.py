"""How HQ watches the SLA clocks (shared/sla.py): a running milestone is at level 50, 75 or
100 once that share of its time is used (100: overdue). The escalation job tells the outlet's
manager at MANAGER_LEVEL (a `notices` row of kind NOTICE_KIND in the outlet's bucket, shown
in the node's notice area, node/services/notices.py) and HQ at HQ_LEVEL (a record on the
monitoring board), each once per (order, milestone, level)."""

LEVELS = (50, 75, 100)
MANAGER_LEVEL = 75
HQ_LEVEL = 100
ESCALATED_LEVELS = (MANAGER_LEVEL, HQ_LEVEL)
NOTICE_KIND = "sla_warning"


def used_pct(budget_min: int, remaining_ms: int) -> int:
    """The share of the milestone's time used, in percent (over 100 when overdue)."""
    budget_ms = max(1, budget_min * 60_000)
    return (budget_ms - remaining_ms) * 100 // budget_ms


def level_of(pct: int) -> int:
    """The highest level reached (0: under half the time used)."""
    for lv in reversed(LEVELS):
        if pct >= lv:
            return lv
    return 0
