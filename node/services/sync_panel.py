"""What the sync panel shows: when the node last synced, whether HQ is reachable, how many
local changes HQ has not acknowledged, and every change HQ refused, with the reason in
words and the row it concerned (an order's number, a part's name). "Sync now" calls the
app's sync (SyncService.sync_now, or a test's in-process round)."""
import json
from dataclasses import dataclass
from collections.abc import Callable

from shared import notices
from shared.labels import label
from shared.messages import describe
from shared.orders import Status
from sync import handback
from sync.errors import SyncError
from sync.http_client import HubUnreachable

from node.services.errors import ServiceError
from node.services.order_rows import cancel_reason
from node.services.session import Session


@dataclass(frozen=True, slots=True)
class RefusedChange:
    table: str
    table_label: str
    row_id: str
    row_label: str
    code: str
    reason: str          # in words, for the clerk
    detail: str          # HQ's explanation, in the session's language when HQ gave its key
    at: int | None


@dataclass(frozen=True, slots=True)
class LostRecord:
    """A row HQ lost in a restore from a backup and no node could give back: removed here."""
    table: str
    table_label: str
    row_id: str
    row_label: str       # the order's number
    reason: str          # in words, for the clerk
    at: int | None


@dataclass(frozen=True, slots=True)
class SyncPanelView:
    last_sync_at: int | None
    last_attempt_at: int | None
    hub_reachable: bool | None
    last_error: str | None
    pending: int
    refused: tuple[RefusedChange, ...]
    lost: tuple[LostRecord, ...] = ()


def _get(status, name):
    return status.get(name) if isinstance(status, dict) else getattr(status, name, None)


class SyncPanel:
    UNLOCKED = ("sync_now",)  # a round talks to HQ; it must not hold the store lock meanwhile

    def __init__(self, ctx, sync_now: Callable | None = None, status: Callable | None = None):
        self.ctx = ctx
        self._sync_now = sync_now
        self._status = status
        self._own = {}  # what the panel saw itself when the app gives no status

    def view(self, session: Session) -> SyncPanelView:
        st = self._status() if self._status else self._own
        with self.ctx.lock:
            details = self._details()
            refused = tuple(self._refused(session, r, details.get(r.get("notice_id")))
                            for r in self.ctx.store.refused())
            pending = self.ctx.store.pending_count()
            lost = tuple(self._lost(session, r) for r in handback.lost(self.ctx.store))
        return SyncPanelView(_get(st, "last_success_at"), _get(st, "last_attempt_at"), _get(st, "hub_reachable"),
                             _get(st, "last_error"), pending, refused, lost)

    def _lost(self, session: Session, r: dict) -> LostRecord:
        table, row = r["tbl"], json.loads(r["row_json"]) if r.get("row_json") else {}
        return LostRecord(table, label("table", table, session.lang), r["row_id"],
                          row.get("number") or r.get("label") or r["row_id"][:8],
                          describe(r.get("reason") or "", session.lang), r.get("at"))

    def sync_now(self, session: Session) -> SyncPanelView:
        if self._sync_now is None:
            raise ServiceError.of("sync_unavailable")
        now = self.ctx.now()
        self._own["last_attempt_at"] = now
        try:
            self._sync_now()
        except HubUnreachable:
            self._own.update(hub_reachable=False, last_error=describe("unreachable", session.lang))
        except SyncError as exc:
            self._own.update(hub_reachable=True, last_error=describe(exc.code, session.lang))
        else:
            self._own.update(hub_reachable=True, last_error=None, last_success_at=now)
        return self.view(session)

    def _details(self) -> dict[str, dict]:
        """The `detail` of each refusal notice, by notice id (the refusal keeps the id)."""
        return {r[0]: _json(r[1]) for r in self.ctx.tuples(
            "SELECT id, detail FROM notices WHERE kind = 'refused' AND detail IS NOT NULL")}

    def _refused(self, session: Session, r: dict, detail: dict | None) -> RefusedChange:
        lang, table = session.lang, r.get("tbl") or ""
        row = json.loads(r["row_json"]) if r.get("row_json") else {}
        return RefusedChange(table, label("table", table, lang), r.get("row_id") or "",
                             self._row_label(table, r.get("row_id"), row), r.get("code") or "",
                             " ".join(filter(None, (describe(r.get("code") or "", lang),
                                                    self._cancelled(table, r.get("row_id"), row, lang)))),
                             notices.render(detail, lang, r.get("message") or ""), r.get("at"))

    def _cancelled(self, table: str, row_id: str | None, row: dict, lang: str) -> str:
        """A change refused because HQ cancelled its order says why HQ did ("客户已自行修好"):
        the order as the last pull brought it carries HQ's reason."""
        order_id = row_id if table == "service_orders" else row.get("order_id")
        order = self.ctx.one("SELECT status, closed_reason FROM service_orders WHERE id = ?",
                             (order_id,)) if order_id else None
        if not order or order.get("status") != Status.CANCELLED:
            return ""
        return ServiceError.of("hq_cancelled", reason=cancel_reason(order)).message(lang)

    def _row_label(self, table: str, row_id: str | None, row: dict) -> str:
        """Something a person recognises: the order's or document's number, the part."""
        order_id = row_id if table == "service_orders" else row.get("order_id")
        if order_id:
            number = row.get("number") if table == "service_orders" else None
            number = number or self.ctx.scalar("SELECT number FROM service_orders WHERE id = ?", (order_id,))
            if number:
                return number
        if row.get("part_id"):
            name = self.ctx.scalar("SELECT name FROM parts WHERE id = ?", (row["part_id"],)) or row["part_id"]
            return f"{name} ×{row['qty']}" if isinstance(row.get("qty"), int) else name
        return row.get("number") or row.get("period") or (row_id or "")[:8]


def _json(text: str | None):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None
