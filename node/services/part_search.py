"""Finding a part in HQ's catalogue by what a clerk types or scans: a SKU (whole, its
start, any case, with or without the dash) or a word of its name. Parts requests and
stocktakes add lines with it; it reads only active parts."""
from dataclasses import dataclass

MAX_HITS = 20


@dataclass(frozen=True, slots=True)
class PartHit:
    part_id: str
    sku: str
    name: str
    category: str
    unit_price: int


def _squash(text: str) -> str:
    return "".join(ch for ch in (text or "").casefold() if ch not in " -_/.")


def find_parts(ctx, text: str, limit: int = MAX_HITS) -> tuple[PartHit, ...]:
    """Active parts matching `text`, an exact SKU first, then SKUs starting with it, then
    the rest by SKU. Nothing typed finds nothing (the catalogue is long)."""
    key = _squash(text)
    if not key:
        return ()
    hits = []
    for p in ctx.reference("parts"):
        if not p["active"]:
            continue
        sku = _squash(p.get("sku") or "")
        if sku == key:
            rank = 0
        elif sku.startswith(key):
            rank = 1
        elif key in sku or key in _squash(p.get("name") or ""):
            rank = 2
        else:
            continue
        hits.append((rank, p.get("sku") or p["id"], p))
    hits.sort(key=lambda h: (h[0], h[1]))
    return tuple(PartHit(p["id"], p.get("sku") or p["id"], p.get("name") or p["id"], p.get("category") or "",
                         p.get("unit_price") or 0) for _, _, p in hits[:limit])
