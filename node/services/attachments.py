"""Photos and the customer's signature on an order. The bytes go to the device's upload
queue (`queue_blob(bytes) -> sha256`, the sync service's queue in the app, a dict in
tests) before the `attachments` ledger row that names them is written, so a row never
points at bytes this device does not hold. `read_blob(sha256) -> bytes | None` reads them
back (SyncService.read_attachment: the device's blob directory) to open an attached photo or
signature again."""
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from shared import attachments as kinds
from shared.labels import label
from shared.orders import TERMINAL

from node.services import guards
from node.services.errors import ServiceError
from node.services.order_rows import check_technician, finished, own_order
from node.services.session import Session


@dataclass(frozen=True, slots=True)
class AttachmentFile:
    """An attached photo or signature opened again: its bytes, as they were attached."""
    id: str
    order_id: str
    kind: str
    kind_label: str
    mime: str
    at: int | None
    data: bytes


class Attachments:
    def __init__(self, ctx, queue_blob: Callable[[bytes], str] | None,
                 read_blob: Callable[[str], bytes | None] | None = None):
        self.ctx = ctx
        self.queue_blob = queue_blob
        self.read_blob = read_blob

    def open(self, session: Session, attachment_id: str) -> AttachmentFile:
        """An attachment of this outlet's order, with its bytes from this device; one that
        another device attached and this one does not hold yet is refused in words."""
        self.ctx.current_user(session)
        row = guards.own_row(self.ctx, "attachments", attachment_id)
        sha = row.get("sha256") or ""
        data = self.read_blob(sha) if self.read_blob is not None else None
        if not data or hashlib.sha256(data).hexdigest() != sha:
            raise ServiceError.of("attachment_elsewhere")
        return AttachmentFile(row["id"], row["order_id"], row["kind"], label("attachment", row["kind"], session.lang),
                              row.get("mime") or "", row.get("at"), bytes(data))

    def attach(self, session: Session, order_id: str, data: bytes, kind: str = kinds.PHOTO,
               mime: str = "image/jpeg") -> str:
        """Attach one file to an order; returns the attachment id."""
        order = own_order(self.ctx, order_id)
        op = self.op(session, order, data, kind, mime)
        self.ctx.write(session, [op])
        return op["id"]

    def op(self, session: Session, order: dict, data: bytes, kind: str, mime: str) -> dict:
        """Check, queue the bytes, and return the ledger op (to write alone or with others)."""
        self.check(session, order, data, kind, mime)
        data = bytes(data)
        sha = self.queue_blob(data)
        if sha != hashlib.sha256(data).hexdigest():
            raise ServiceError.of("attachments_unavailable")
        return {"op": "add", "table": "attachments", "id": str(uuid.uuid4()),
                "fields": {"order_id": order["id"], "kind": kind, "sha256": sha, "size": len(data),
                           "mime": mime, "at": self.ctx.now()}}

    def check(self, session: Session, order: dict, data: bytes, kind: str, mime: str) -> None:
        """Everything `op` checks, queueing nothing: a change with several files checks
        them all before the first one is queued."""
        guards.require_add(session, "attachments", "attach")
        check_technician(self.ctx, session, order)
        if order["display_status"] in TERMINAL:
            raise finished(order, "attach")
        if kind not in kinds.KINDS or mime not in kinds.MIMES:
            raise ServiceError.of("attachment_type", field="kind")
        if not isinstance(data, (bytes, bytearray)) or not data:
            raise ServiceError.of("attachment_empty")
        if len(data) > kinds.MAX_BYTES:
            raise ServiceError.of("attachment_too_large", mb=kinds.MAX_BYTES // (1024 * 1024))
        if self.queue_blob is None:
            raise ServiceError.of("attachments_unavailable")
