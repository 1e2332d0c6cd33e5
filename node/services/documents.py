"""What the outlet's documents (parts requests, stocktakes, settlements) share: they are
edited while draft and frozen once submitted, after which HQ's status and comment are
shown as they arrive."""
from shared.documents import DocStatus
from shared.labels import in_sentence

from node.services.errors import ServiceError


def require_draft(row: dict, table: str) -> None:
    status = row.get("status") or DocStatus.DRAFT
    if status != DocStatus.DRAFT:
        raise ServiceError.of("doc_frozen", thing=in_sentence("table", table), status=in_sentence("doc_status", status))


def put(table: str, row_id: str, **fields) -> dict:
    return {"op": "put", "table": table, "id": row_id, "fields": fields}
