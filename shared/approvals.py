"""HQ's approval rules, defined once: how many approval levels a parts request needs by the
amount it ships, which stocktake variances post without an approver, and the words of a
settlement recomputation's differences. The hub's approval services and screens read these;
the node reads HQ's decisions from `approvals` rows (decision, level, comment)."""
from enum import StrEnum


# Parts requests: level 1 approves up to LEVEL_LIMITS[0] fen (¥5,000) on its own; above
# that a second approver (another person) must approve too; above LEVEL_LIMITS[1] a third.
LEVEL_LIMITS: tuple[int, ...] = (500_000, 5_000_000)

# Stocktakes: a line's variance posts automatically (an HQ `adjust` move, no approver) when
# it is at most AUTO_POST_MAX_QTY units either way and worth at most AUTO_POST_MAX_FEN at
# catalog price; a larger one waits for the approver.
AUTO_POST_MAX_QTY = 2
AUTO_POST_MAX_FEN = 20_000


class Subject(StrEnum):
    """What an approval decides (the `approvals.subject_table`)."""
    PARTS_REQUEST = "parts_requests"
    STOCK_COUNT = "stock_counts"
    SETTLEMENT = "settlements"
    RECEIPT = "receipt_discrepancies"   # what arrived short, damaged or extra: HQ settles it


class Difference(StrEnum):
    """How one line of a settlement differs between the node's draft and HQ's recomputation."""
    SAME = "same"
    AMOUNT = "amount"              # a fee or the deduction differs
    MISSING_ON_NODE = "missing"    # completed in the period at HQ, left out by the node
    NOT_COMPLETED = "extra"        # on the node's settlement, not completed in the period at HQ


def levels_needed(amount_fen: int) -> int:
    """Approval levels for a parts request shipping `amount_fen` (≥ 1)."""
    return 1 + sum(1 for limit in LEVEL_LIMITS if amount_fen > limit)


def auto_posts(variance: int, unit_price: int | None) -> bool:
    """Does a stocktake line's variance post without an approver?"""
    return abs(variance) <= AUTO_POST_MAX_QTY and abs(variance) * int(unit_price or 0) <= AUTO_POST_MAX_FEN
