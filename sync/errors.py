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
op is reported with one of the op refusal codes below (OpRefused carries it inside the
authoriser).
"""
from shared import notices


class SyncError(Exception):
    """A request refused whole, nothing applied: `status` is its HTTP status, `code` the
    protocol's error code, `extra` the body's other fields (have, hub_time)."""
    status = 400
    code = "bad_request"

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}, **self.extra}


class BadRequest(SyncError):
    """Malformed JSON/NDJSON, missing or mistyped fields."""
    status = 400
    code = "bad_request"


class BadSegment(SyncError):
    """The manifest is wrong, or the chain or the head does not match."""
    status = 400
    code = "bad_segment"


class BadChange(SyncError):
    """A change breaks the encoding rules (a float, its seq, an unknown op, …)."""
    status = 400
    code = "bad_change"


class BadToken(SyncError):
    """The enrollment token is unknown, used or expired."""
    status = 401
    code = "bad_token"


class BadSignature(SyncError):
    """The request's or the manifest's signature is missing or invalid."""
    status = 401
    code = "bad_signature"


class UnknownNode(SyncError):
    """The key id names no enrolled node."""
    status = 401
    code = "unknown_node"


class ClockSkew(SyncError):
    """The signature's `created` is too far from hub time (carries hub_time)."""
    status = 401
    code = "clock_skew"


class Revoked(SyncError):
    """The node was revoked."""
    status = 403
    code = "revoked"


class Forbidden(SyncError):
    """A bucket or an endpoint the node may not use."""
    status = 403
    code = "forbidden"


class ChainGap(SyncError):
    """`first` is beyond what the hub holds + 1 (carries have)."""
    status = 409
    code = "chain_gap"


class Fork(SyncError):
    """A held (origin, epoch, seq) sent with another hash (carries have)."""
    status = 409
    code = "fork"


class TooLarge(SyncError):
    """Too many changes, too many bytes."""
    status = 413
    code = "too_large"


class SchemaUnsupported(SyncError):
    """The change schema is outside the hub's range."""
    status = 426
    code = "schema_unsupported"


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


class OpRefused(Exception):
    """One op the hub will not apply; the rest of the segment goes on. `key` and `params`
    say why (shared/notices.py): the node words them in its user's language; `message` is
    the English wording, the protocol's human message."""

    def __init__(self, code: str, key: str, **params):
        self.code = code
        self.detail = notices.detail(key, **params)
        self.message = notices.render(self.detail, "en")
        super().__init__(self.message)
