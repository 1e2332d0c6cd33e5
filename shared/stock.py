"""Stock vocabulary and the parts-request suggestion. On-hand is always Σ of the moves;
the suggestion covers the next `COVER_DAYS` at the pace of the last `HISTORY_DAYS`, on top
of the safety stock, minus what is on hand and what HQ has shipped but not yet arrived."""
import sqlite3
from contextlib import AbstractContextManager
from enum import StrEnum
from typing import Protocol

HISTORY_DAYS = 90
COVER_DAYS = 30


class MoveKind(StrEnum):
    RECEIPT = "receipt"    # parts arriving from HQ (ref: the parts request)
    CONSUME = "consume"    # used on an order (negative qty, ref: the order)
    RETURN = "return"      # the defective part taken out of an appliance (qty 0, ref: the order part)
    TRANSFER = "transfer"  # between outlets, posted by HQ
    ADJUST = "adjust"      # stocktake variance, posted by HQ


class Replica(Protocol):
    """A store holding an outlet's rows (sync's NodeStore): its outlet and a consistent read."""
    @property
    def outlet_id(self) -> str | None: ...

    def read(self) -> AbstractContextManager[sqlite3.Connection]: ...


def on_hand(replica: Replica, part_id: str) -> int:
    """How many of a part the replica's outlet holds: Σ of its moves."""
    with replica.read() as c:
        row = c.execute("SELECT COALESCE(SUM(qty), 0) FROM stock_moves WHERE outlet_id = ? AND part_id = ?",
                        (replica.outlet_id, part_id)).fetchone()
    return row[0]


def qty_fits(kind: str, qty) -> bool:
    """The sign a move's quantity must have: a consumption takes stock out, a receipt brings
    it in, a return puts back an unused part or records a defective one (qty 0); HQ's
    transfers and adjustments go either way."""
    if not isinstance(qty, int) or isinstance(qty, bool):
        return False
    sign_fits: dict[str, bool] = {MoveKind.CONSUME: qty < 0, MoveKind.RECEIPT: qty > 0, MoveKind.RETURN: qty >= 0}
    return sign_fits.get(kind, True)


def suggest_qty(consumed: int, safety_stock: int, on_hand: int, in_transit: int,
                history_days: int = HISTORY_DAYS, cover_days: int = COVER_DAYS) -> int:
    """How many to ask for: safety stock + expected use over the cover period (rounded
    up) − on hand − in transit, never below zero."""
    consumed = max(0, int(consumed))
    expected = -(-consumed * cover_days // history_days)  # ceil without floats
    return max(0, int(safety_stock or 0) + expected - int(on_hand) - int(in_transit))
