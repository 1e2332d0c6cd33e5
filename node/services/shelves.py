"""Where each part sits in the outlet's store: its shelf (a bin location, "A-03"), kept by
the outlet's clerk or manager in `part_shelves` (one row per part, its id derived from the
outlet and the part, so two devices set the same row). A stocktake can then count one
shelf (node/services/stocktake.py, CountScope.SHELF), and the stock list and the count
sheet show the shelf beside the part. A shelf is a short name; an emptied one is cleared."""
import unicodedata
import uuid

from shared.roles import OFFICE
from shared.stock import SHELF_MAX

from node.services import guards
from node.services.documents import put
from node.services.errors import ServiceError
from node.services.part_search import find_parts
from node.services.session import Session
from node.services.stock import part_row

TABLE = "part_shelves"
SHELF_NS = uuid.UUID("3c7b9e21-4f0a-4d6b-8e5c-2a1f9d0b7e63")


def shelf_id(outlet_id: str, part_id: str) -> str:
    return str(uuid.uuid5(SHELF_NS, f"{outlet_id}:{part_id}"))


def clean(text: str | None) -> str:
    """A shelf as typed, tidied: no spaces around, letters upper-cased (a-03 is A-03)."""
    return unicodedata.normalize("NFKC", (text or "").strip()).upper()


class Shelves:
    def __init__(self, ctx):
        self.ctx = ctx

    def set(self, session: Session, part_id: str, shelf: str | None) -> str | None:
        """Put a part on a shelf (or, emptied, on none); returns the shelf as stored. A
        shelf too long or with a character that is not a letter, digit, dash, dot, slash or
        space is refused in words and nothing changes."""
        guards.require_put(session, TABLE, ["outlet_id", "part_id", "shelf"], True, "set_shelf")
        part = part_row(self.ctx, part_id)
        name = clean(shelf)
        if len(name) > SHELF_MAX or any(not (ch.isalnum() or ch in "-./ ") for ch in name):
            raise ServiceError.of("bad_shelf", field="shelf", shelf=name[:40], n=SHELF_MAX)
        sid = shelf_id(self.ctx.outlet_id, part["id"])
        if self.ctx.scalar(f"SELECT 1 FROM {TABLE} WHERE id = ?", (sid,)):
            self.ctx.write(session, [put(TABLE, sid, shelf=name or None)])
        elif name:
            self.ctx.write(session, [put(TABLE, sid, outlet_id=self.ctx.outlet_id, part_id=part["id"], shelf=name)])
        return name or None

    def set_by_sku(self, session: Session, sku: str, shelf: str | None) -> tuple[str, str | None]:
        """`set` for the part whose SKU was typed or scanned (with or without its dash, any
        case; a word of the name when it finds one part only); returns (part id, shelf).
        A SKU the catalogue does not hold is refused in words."""
        typed = (sku or "").strip()
        found = find_parts(self.ctx, typed)
        hits = [h for h in found if h.sku.casefold() == typed.casefold()] or (list(found) if len(found) == 1 else [])
        if not hits:
            raise ServiceError.of("shelf_part_unknown", field="sku", sku=typed[:40])
        return hits[0].part_id, self.set(session, hits[0].part_id, shelf)

    def of_parts(self) -> dict[str, str]:
        """part id -> its shelf here (parts on no shelf are absent)."""
        return {r[0]: r[1] for r in self.ctx.tuples(
            f"SELECT part_id, shelf FROM {TABLE} WHERE outlet_id = ? AND shelf IS NOT NULL AND shelf != ''",
            (self.ctx.outlet_id,))}

    def names(self, session: Session) -> tuple[str, ...]:
        """The outlet's shelves that hold a part, in order: what a shelf count picks."""
        if session.role not in OFFICE:
            return ()
        return tuple(sorted(set(self.of_parts().values())))

    def parts_on(self, shelf: str) -> list[str]:
        return [r[0] for r in self.ctx.tuples(
            f"SELECT s.part_id FROM {TABLE} s JOIN parts p ON p.id = s.part_id WHERE s.outlet_id = ? "
            "AND s.shelf = ? AND COALESCE(p.active, 1) != 0 ORDER BY p.sku", (self.ctx.outlet_id, clean(shelf)))]
