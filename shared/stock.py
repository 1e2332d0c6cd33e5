"""Stock vocabulary and the parts-request suggestion. On-hand is always Σ of the moves, per
place: a move's `holder` names the technician whose bag (van stock, 随车配件) it is in, or
is NULL for the outlet's store. Parts go store → bag by an `issue` (领料) and back by a
`hand_back` (退料); each is two moves of the same kind and quantity with one ref
(`pair_ref`: the bag and the pair's id), −n in the place the parts leave and +n in the
place they reach, written in one change, so the outlet's total (store + bags) never
moves. A technician doing the work consumes from their bag; a clerk recording parts used
at the counter consumes from the store.

The defective part taken out in an in-warranty repair (旧件返还) is no stock: the order
part keeps its old serial, and a `return` move of qty 0 in the store (ref: the order part)
says it reached the outlet — it never changes what can be used or sold.

The suggestion covers the next `COVER_DAYS` at the pace of the last `HISTORY_DAYS`, on top
of the safety stock, minus what is on hand and what HQ has shipped but not yet arrived."""
import sqlite3
from contextlib import AbstractContextManager
from enum import StrEnum
from typing import Protocol

HISTORY_DAYS = 90
COVER_DAYS = 30
# A parts request this large is confirmed (its total shown) before it is submitted.
LARGE_REQUEST_FEN = 200_000   # ¥2,000.00
LARGE_REQUEST_LINES = 20      # more lines than this


def large_request(total_fen: int, lines: int) -> bool:
    return total_fen >= LARGE_REQUEST_FEN or lines > LARGE_REQUEST_LINES


class MoveKind(StrEnum):
    RECEIPT = "receipt"    # parts arriving from HQ (ref: the parts request)
    CONSUME = "consume"    # used on an order (negative qty, ref: the order)
    RETURN = "return"      # the defective part taken out of an appliance (qty 0, ref: the order part)
    TRANSFER = "transfer"  # between outlets, posted by HQ
    ADJUST = "adjust"      # stocktake variance, posted by HQ
    ISSUE = "issue"        # store → a technician's bag (two moves, ref: the issue)
    HAND_BACK = "hand_back"  # unused parts from a bag back to the store (two moves, ref: the hand-back)


class CountScope(StrEnum):
    """What a stocktake counts: the whole store, or a partial (cycle) count of one
    category, of one shelf (`part_shelves`) or of the parts that moved most lately. A
    partial count's parts are fixed when it opens (`stock_counts.scope`, JSON: kind,
    value, parts)."""
    ALL = "all"
    CATEGORY = "category"
    MOVED = "moved"
    SHELF = "shelf"


SHELF_MAX = 20  # a shelf's name: "A-03", "货架2-上层"


MOVED_DAYS = 30       # "moved most": the store's moves of the last 30 days …
MOVED_TOP = 20        # … the 20 parts with the most pieces moved in or out


# Kinds whose moves may be in a technician's bag (holder set); the rest are the store's.
BAG_KINDS = frozenset({MoveKind.ISSUE, MoveKind.HAND_BACK, MoveKind.CONSUME})
# Kinds that move parts between two places of the outlet: a pair of moves with one ref.
PAIRED_KINDS = frozenset({MoveKind.ISSUE, MoveKind.HAND_BACK})


class Replica(Protocol):
    """A store holding an outlet's rows (sync's NodeStore): its outlet and a consistent read."""
    @property
    def outlet_id(self) -> str | None: ...

    def read(self) -> AbstractContextManager[sqlite3.Connection]: ...


STORE = None  # the holder of the outlet's store


def pair_ref(holder: str, pair_id: str) -> str:
    """The ref both moves of an issue or hand-back carry: the bag and the pair's own id, so
    that the hub judges the store's move by the same bag as the bag's move (a technician's
    hand-back for another technician's bag is refused whole, not just its bag half)."""
    return f"{holder}/{pair_id}"


def pair_holder(ref: object) -> str | None:
    """The bag a paired move's ref names (None: not a pair's ref)."""
    if not isinstance(ref, str) or "/" not in ref:
        return None
    return ref.rsplit("/", 1)[0] or None


def on_hand(replica: Replica, part_id: str, holder: str | None = STORE) -> int:
    """How many of a part one place of the replica's outlet holds: Σ of that place's moves
    (`holder` None: the store; a technician's id: their bag)."""
    with replica.read() as c:
        row = c.execute("SELECT COALESCE(SUM(qty), 0) FROM stock_moves WHERE outlet_id = ? AND part_id = ? "
                        "AND holder IS ?", (replica.outlet_id, part_id, holder)).fetchone()
    return row[0]


def place_fits(kind: str, holder: object) -> bool:
    """Receipts, old-part returns, transfers and adjustments are the store's; issues,
    hand-backs and consumptions may be in a bag."""
    return holder is None or (isinstance(holder, str) and bool(holder) and kind in BAG_KINDS)


def qty_fits(kind: str, qty, holder: object = STORE) -> bool:
    """The sign a move's quantity must have: a consumption takes stock out, a receipt brings
    it in, a return records a defective part (qty 0, or ≥ 0 from older releases); an issue
    leaves the store and reaches a bag, a hand-back the other way; HQ's transfers and
    adjustments go either way."""
    if not isinstance(qty, int) or isinstance(qty, bool):
        return False
    into_bag = holder is not None
    sign_fits: dict[str, bool] = {MoveKind.CONSUME: qty < 0, MoveKind.RECEIPT: qty > 0, MoveKind.RETURN: qty >= 0,
                                  MoveKind.ISSUE: qty > 0 if into_bag else qty < 0,
                                  MoveKind.HAND_BACK: qty < 0 if into_bag else qty > 0}
    return sign_fits.get(kind, True)


def suggest_qty(consumed: int, safety_stock: int, on_hand: int, in_transit: int,
                history_days: int = HISTORY_DAYS, cover_days: int = COVER_DAYS) -> int:
    """How many to ask for: safety stock + expected use over the cover period (rounded
    up) − on hand − in transit, never below zero."""
    consumed = max(0, int(consumed))
    expected = -(-consumed * cover_days // history_days)  # ceil without floats
    return max(0, int(safety_stock or 0) + expected - int(on_hand) - int(in_transit))
