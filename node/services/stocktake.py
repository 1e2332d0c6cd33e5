"""Stocktakes. Opening one records the node's clock (`count_hlc`); what was on hand at
that moment is Σ of the moves whose clock is not later (`_hlc ≤ count_hlc`), so a part
used or received while the count runs — here or on another device, synced later — does
not show up as a variance; such a line is marked (`moved`) so the counter knows the shelf
no longer holds the book quantity. A blind count hides the expected quantities until it is
submitted. HQ posts variances within its threshold and decides the rest.

A count covers the whole store or part of it (shared/stock.py CountScope): one category,
one shelf (the parts the outlet put on it, node/services/shelves.py), or the parts that
moved most lately — a cycle count. The parts of a partial count are
fixed when it opens; a part found on the shelf can be added by its SKU. Lines not counted
may be filled with their book quantity (not in a blind count)."""
import json
import uuid
from dataclasses import dataclass

from shared.documents import DocStatus
from shared.labels import label, ui_text
from shared.periods import DAY_MS
from shared.roles import OFFICE
from shared.stock import MOVED_DAYS, MOVED_TOP, CountScope

from node.services import guards
from node.services.documents import put, require_draft
from node.services.errors import ServiceError
from node.services.part_search import find_parts
from node.services.session import Session
from node.services.shelves import Shelves, clean
from node.services.stock import latest_comment, part_row

LINE_NS = uuid.UUID("9a1e5c3b-7d2f-4e8a-b6c4-1f0d3e5a7b90")
TABLE, LINES = "stock_counts", "stock_count_lines"


@dataclass(frozen=True, slots=True)
class CountLine:
    part_id: str
    sku: str
    name: str
    counted: int | None
    expected: int | None      # None while a blind count is open
    variance: int | None      # counted − expected
    moved: bool = False       # the store moved this part after the count opened
    shelf: str = ""           # where it sits in the store


@dataclass(frozen=True, slots=True)
class CountView:
    id: str
    status: str
    status_label: str
    blind: bool
    editable: bool
    started_at: int | None
    submitted_at: int | None
    note: str
    comment: str
    uncounted: int
    lines: tuple[CountLine, ...]
    variances: str            # the parts counted off, "排水泵 -1，门封条 +2"; "0" when none is
    scope: str = CountScope.ALL
    scope_label: str = ""     # "全部库存", "类别：洗衣机", "近30天变动最多的20种配件"


def line_id(count_id: str, part_id: str) -> str:
    return str(uuid.uuid5(LINE_NS, f"{count_id}:{part_id}"))


class Stocktake:
    def __init__(self, ctx):
        self.ctx = ctx

    def open(self, session: Session, blind: bool = False, note: str | None = None,
             scope: str = CountScope.ALL, value: str | None = None) -> str:
        """Open a count of the whole store, or of one category or one shelf (`value`) or of
        the parts that moved most (shared/stock.py); returns its id."""
        guards.require_put(session, TABLE, ["outlet_id", "status", "blind", "count_hlc", "scope"], True, "stocktake")
        if self.current(session) is not None:
            raise ServiceError.of("count_open")
        self.ctx.current_user(session)
        if scope == CountScope.SHELF:
            value = clean(value)
        parts = self._scope_parts(scope, value)
        cid = str(uuid.uuid4())
        store = self.ctx.store
        with store.tx():  # the count's clock is taken in the write's transaction, after every applied move
            self.ctx.write(session, [put(
                TABLE, cid, outlet_id=self.ctx.outlet_id, status=str(DocStatus.DRAFT), blind=bool(blind),
                count_hlc=store.clock.tick(), started_at=self.ctx.now(), note=(note or "").strip() or None,
                scope=None if parts is None else {"kind": str(scope), "value": value, "parts": parts})])
        return cid

    def categories(self, session: Session) -> tuple[tuple[str, str], ...]:
        """(code, label) of the categories of the active parts: what a partial count picks."""
        codes = {r[0] for r in self.ctx.tuples(
            "SELECT DISTINCT category FROM parts WHERE COALESCE(active, 1) != 0 AND category IS NOT NULL")}
        return tuple((c, label("product_category", c, session.lang)) for c in sorted(codes))

    def _scope_parts(self, scope: str, value: str | None) -> list[str] | None:
        """The parts a partial count covers (None: the whole store)."""
        ctx = self.ctx
        if scope == CountScope.ALL:
            return None
        if scope == CountScope.CATEGORY:
            parts = [r[0] for r in ctx.tuples("SELECT id FROM parts WHERE category = ? AND COALESCE(active, 1) != 0 "
                                              "ORDER BY sku", (value or "",))]
            if not parts:
                raise ServiceError.of("count_scope_empty", field="value")
            return parts
        if scope == CountScope.SHELF:
            parts = Shelves(ctx).parts_on(value or "")
            if not parts:
                raise ServiceError.of("count_scope_empty", field="value")
            return parts
        if scope == CountScope.MOVED:
            since = ctx.now() - MOVED_DAYS * DAY_MS
            parts = [r[0] for r in ctx.tuples(
                "SELECT part_id FROM stock_moves WHERE outlet_id = ? AND holder IS NULL AND at >= ? "
                "GROUP BY part_id HAVING SUM(ABS(qty)) > 0 ORDER BY SUM(ABS(qty)) DESC, part_id LIMIT ?",
                (ctx.outlet_id, since, MOVED_TOP))]
            if not parts:
                raise ServiceError.of("count_scope_empty", field="value")
            return parts
        raise ServiceError.on_field("bad_choice", "scope")

    def add_part(self, session: Session, count_id: str, sku: str) -> CountView:
        """Put a part found on the shelf on the count, by its SKU (typed or scanned); a SKU
        the catalogue does not hold is refused in words and nothing changes."""
        guards.require_put(session, LINES, ["counted"], True, "stocktake")
        count = guards.own_row(self.ctx, TABLE, count_id)
        require_draft(count, TABLE)
        typed = (sku or "").strip()
        found = find_parts(self.ctx, typed)
        hits = [h for h in found if h.sku.casefold() == typed.casefold()] or (list(found) if len(found) == 1 else [])
        if not hits:
            raise ServiceError.of("count_part_unknown", field="sku", sku=typed[:40])
        lid = line_id(count_id, hits[0].part_id)
        if not self.ctx.scalar(f"SELECT 1 FROM {LINES} WHERE id = ?", (lid,)):
            self.ctx.write(session, [put(LINES, lid, count_id=count_id, part_id=hits[0].part_id)])
        return self.get(session, count_id)

    def fill_book(self, session: Session, count_id: str) -> CountView:
        """Every line not counted yet takes its book quantity (what the moves said when the
        count opened): for the shelves the counter trusts. Not in a blind count."""
        guards.require_put(session, LINES, ["counted"], True, "stocktake")
        count = guards.own_row(self.ctx, TABLE, count_id)
        require_draft(count, TABLE)
        if count.get("blind"):
            raise ServiceError.of("blind_no_book")
        ops = []
        for line in self._sheet(count):
            if line["counted"] is None:
                lid = line_id(count_id, line["part_id"])
                exists = self.ctx.scalar(f"SELECT 1 FROM {LINES} WHERE id = ?", (lid,))
                ops.append(put(LINES, lid, counted=line["expected"]) if exists else
                           put(LINES, lid, count_id=count_id, part_id=line["part_id"], counted=line["expected"]))
        if ops:
            self.ctx.write(session, ops)
        return self.get(session, count_id)

    def current(self, session: Session) -> CountView | None:
        row = self.ctx.one(f"SELECT * FROM {TABLE} WHERE outlet_id = ? AND holder IS NULL "
                           "AND COALESCE(status, 'draft') = 'draft' ORDER BY started_at DESC LIMIT 1",
                           (self.ctx.outlet_id,))
        return self._view(session, row) if row else None

    def get(self, session: Session, count_id: str) -> CountView:
        return self._view(session, guards.own_row(self.ctx, TABLE, count_id))

    def all(self, session: Session, limit: int = 20) -> tuple[CountView, ...]:
        rows = self.ctx.query(f"SELECT * FROM {TABLE} WHERE outlet_id = ? AND holder IS NULL "
                              "ORDER BY started_at DESC LIMIT ?",
                              (self.ctx.outlet_id, limit))
        return tuple(self._view(session, r) for r in rows)

    def enter(self, session: Session, count_id: str, part_id: str, counted: int) -> CountView:
        """Record a part's counted quantity; returns the count as it stands now (its
        variances, what is left to count)."""
        guards.require_put(session, LINES, ["counted"], True, "stocktake")
        count = guards.own_row(self.ctx, TABLE, count_id)
        require_draft(count, TABLE)
        part_row(self.ctx, part_id)
        if not isinstance(counted, int) or isinstance(counted, bool) or counted < 0:
            raise ServiceError.of("bad_count", field="counted")
        lid = line_id(count_id, part_id)
        exists = self.ctx.scalar(f"SELECT 1 FROM {LINES} WHERE id = ?", (lid,))
        fields = {"counted": counted} if exists else {"count_id": count_id, "part_id": part_id, "counted": counted}
        self.ctx.write(session, [put(LINES, lid, **fields)])
        return self.get(session, count_id)

    def submit(self, session: Session, count_id: str) -> None:
        """Freeze the count with each line's expected quantity and variance as this node
        saw them (HQ recomputes them from its own ledger)."""
        guards.require_put(session, TABLE, ["status", "submitted_at"], False, "stocktake")
        count = guards.own_row(self.ctx, TABLE, count_id)
        require_draft(count, TABLE)
        sheet = self._sheet(count)
        missing = sum(1 for line in sheet if line["counted"] is None)
        if missing:
            raise ServiceError.of("uncounted", n=missing)
        ops = [put(LINES, line_id(count_id, line["part_id"]), expected=line["expected"],
                   variance=line["counted"] - line["expected"]) for line in sheet]
        ops.append(put(TABLE, count_id, submitted_at=self.ctx.now(), status=str(DocStatus.SUBMITTED)))
        self.ctx.write(session, ops)

    def _sheet(self, count: dict) -> list[dict]:
        """The count's parts — every part the store held by the count's clock, or a partial
        count's parts — and every part added to it; `moved`: the store moved it since."""
        ctx = self.ctx
        hlc = count["count_hlc"] or 0
        expected = {r[0]: r[1] for r in ctx.tuples(
            "SELECT part_id, SUM(qty) FROM stock_moves WHERE outlet_id = ? AND holder IS NULL AND _hlc <= ? "
            "GROUP BY part_id",
            (ctx.outlet_id, hlc))}
        moved = {r[0] for r in ctx.tuples(
            "SELECT DISTINCT part_id FROM stock_moves WHERE outlet_id = ? AND holder IS NULL AND _hlc > ? "
            "AND qty != 0", (ctx.outlet_id, hlc))}
        counted = {r[0]: r[1] for r in ctx.tuples(
            f"SELECT part_id, counted FROM {LINES} WHERE count_id = ?", (count["id"],))}
        scope = _scope(count)
        base = set(expected) if scope is None else set(scope.get("parts") or [])
        ids = sorted(base | set(counted))
        parts = {p["id"]: p for p in ctx.query(
            f"SELECT id, sku, name FROM parts WHERE id IN ({','.join('?' * len(ids))})", ids)}
        shelves = Shelves(ctx).of_parts()
        return sorted(({"part_id": pid, "sku": parts.get(pid, {}).get("sku") or pid,
                        "name": parts.get(pid, {}).get("name") or pid, "counted": counted.get(pid),
                        "expected": expected.get(pid, 0), "moved": pid in moved, "shelf": shelves.get(pid, "")}
                       for pid in ids), key=lambda s: s["sku"])

    def _view(self, session: Session, count: dict) -> CountView:
        status = count.get("status") or DocStatus.DRAFT
        draft = status == DocStatus.DRAFT
        hide = draft and bool(count.get("blind"))
        lines = []
        for s in self._sheet(count):
            expected = None if hide else s["expected"]
            variance = None if expected is None or s["counted"] is None else s["counted"] - expected
            lines.append(CountLine(s["part_id"], s["sku"], s["name"], s["counted"], expected, variance,
                                   draft and s["moved"], s["shelf"]))
        comment, _ = latest_comment(self.ctx, TABLE, count["id"])
        variances = ui_text("list_sep", session.lang).join(f"{s.name} {s.variance:+d}" for s in lines if s.variance)
        scope = _scope(count) or {}
        kind = scope.get("kind") or CountScope.ALL
        return CountView(count["id"], status, label("doc_status", status, session.lang), bool(count.get("blind")),
                         draft and session.role in OFFICE, count.get("started_at"), count.get("submitted_at"),
                         count.get("note") or "", comment, sum(1 for s in lines if s.counted is None), tuple(lines),
                         variances or "0", kind, scope_label(kind, scope.get("value"), session.lang))


def _scope(count: dict) -> dict | None:
    raw = count.get("scope")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    return raw if isinstance(raw, dict) else None


def scope_label(kind: str, value: str | None, lang: str) -> str:
    """What a count covers, in words: "全部库存", "类别：洗衣机", "近30天变动最多的20种配件"."""
    if kind == CountScope.CATEGORY:
        return ui_text("scope_category", lang, category=label("product_category", value, lang))
    if kind == CountScope.MOVED:
        return ui_text("scope_moved", lang, days=MOVED_DAYS, n=MOVED_TOP)
    if kind == CountScope.SHELF:
        return ui_text("scope_shelf", lang, shelf=value or "")
    return ui_text("scope_all", lang)
