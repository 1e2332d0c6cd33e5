"""Every error the protocol knows, in one hierarchy.

SyncError                 a request refused whole; nothing was applied
├── BadRequest      400   malformed JSON/NDJSON, missing or mistyped fields
├── BadSegment      400   manifest wrong, chain or head does not match
├── BadChange       400   a change breaks the encoding rules (float, seq, unknown op, …)
├── BadToken        401   enrollment token unknown, used or expired
├── BadSignature    401   request or manifest signature missing or invalid
├── UnknownNode     401   key id names no enrolled node
├── ClockSkew       401   signature `created` too far from hub time (carries hub_time)
├── Revoked         403   the node was revoked
├── Forbidden       403   a bucket or endpoint the node may not use
├── ChainGap        409   `first` beyond what the hub holds + 1 (carries have)
├── Fork            409   a held (origin, epoch, seq) sent with another hash (carries have)
├── TooLarge        413   too many changes, too many bytes
└── SchemaUnsupported 426 change schema outside the hub's range

Op-level refusals are not exceptions of the request: a segment is accepted and each refused
op is reported with one of OP_CODES (OpRefused carries it inside the authoriser).
"""
from shared import notices


class SyncError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}, **self.extra}


def _error(name: str, status: int, code: str) -> type[SyncError]:
    return type(name, (SyncError,), {"status": status, "code": code, "__doc__": code})


BadRequest = _error("BadRequest", 400, "bad_request")
BadSegment = _error("BadSegment", 400, "bad_segment")
BadChange = _error("BadChange", 400, "bad_change")
BadToken = _error("BadToken", 401, "bad_token")
BadSignature = _error("BadSignature", 401, "bad_signature")
UnknownNode = _error("UnknownNode", 401, "unknown_node")
ClockSkew = _error("ClockSkew", 401, "clock_skew")
Revoked = _error("Revoked", 403, "revoked")
Forbidden = _error("Forbidden", 403, "forbidden")
ChainGap = _error("ChainGap", 409, "chain_gap")
Fork = _error("Fork", 409, "fork")
TooLarge = _error("TooLarge", 413, "too_large")
SchemaUnsupported = _error("SchemaUnsupported", 426, "schema_unsupported")

ERRORS: dict[str, type[SyncError]] = {cls.code: cls for cls in (
    BadRequest, BadSegment, BadChange, BadToken, BadSignature, UnknownNode, ClockSkew,
    Revoked, Forbidden, ChainGap, Fork, TooLarge, SchemaUnsupported)}


def from_body(status: int, body: dict) -> SyncError:
    """Rebuild the exception a hub answered with (client side)."""
    err = (body or {}).get("error") or {}
    cls = ERRORS.get(err.get("code"), SyncError)
    extra = {k: v for k, v in (body or {}).items() if k != "error"}
    exc = cls(err.get("message") or f"HTTP {status}", **extra)
    exc.status = status
    exc.code = err.get("code") or exc.code  # keep codes outside the protocol list (not_found, …)
    return exc


# Op refusal codes (push response `rejected[].code`).
NOT_OWNER = "not_owner"
FORBIDDEN = "forbidden"
BAD_TRANSITION = "bad_transition"
FROZEN = "frozen"
CONFLICT = "conflict"
INVALID = "invalid"
CLOCK_AHEAD = "clock_ahead"
OP_CODES = (NOT_OWNER, FORBIDDEN, BAD_TRANSITION, FROZEN, CONFLICT, INVALID, CLOCK_AHEAD)


class OpRefused(Exception):
    """One op the hub will not apply; the rest of the segment goes on. `key` and `params`
    say why (shared/notices.py): the node words them in its user's language; `message` is
    the English wording, the protocol's human message."""

    def __init__(self, code: str, key: str, **params):
        self.code = code
        self.detail = notices.detail(key, **params)
        self.message = notices.render(self.detail, "en")
        super().__init__(self.message)
