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
op is reported with an op refusal code (shared/refusals.py; OpRefused carries it).
"""
from shared.refusals import (BAD_TRANSITION, CLOCK_AHEAD, CONFLICT, FORBIDDEN,  # noqa: F401
                             FROZEN, INVALID, MOVED_AWAY, NOT_OWNER, OpRefused)  # (re-exported)


class SyncError(Exception):
    """A request refused whole, nothing applied: `status` is its HTTP status, `code` the
    protocol's error code, `extra` the body's other fields (have, hub_time)."""
    status = 400
    code = "bad_request"

    def __init__(self, message: str, **extra: object):
        super().__init__(message)
        self.message = message
        self.extra = extra

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}, **self.extra}


class BadRequest(SyncError):
    status, code = 400, "bad_request"


class BadSegment(SyncError):
    status, code = 400, "bad_segment"


class BadChange(SyncError):
    status, code = 400, "bad_change"


class BadToken(SyncError):
    status, code = 401, "bad_token"


class BadSignature(SyncError):
    status, code = 401, "bad_signature"


class UnknownNode(SyncError):
    status, code = 401, "unknown_node"


class ClockSkew(SyncError):
    status, code = 401, "clock_skew"


class Revoked(SyncError):
    status, code = 403, "revoked"


class Forbidden(SyncError):
    status, code = 403, "forbidden"


class ChainGap(SyncError):
    status, code = 409, "chain_gap"


class Fork(SyncError):
    """Besides `have`, the hub notes which change differs: `seq`, the hash it holds and
    the hash sent (a fork alert)."""
    status, code = 409, "fork"
    seq: int = 0
    held_hash: str = ""
    sent_hash: str = ""


class TooLarge(SyncError):
    status, code = 413, "too_large"


class SchemaUnsupported(SyncError):
    status, code = 426, "schema_unsupported"


ERRORS: dict[str, type[SyncError]] = {cls.code: cls for cls in (
    BadRequest, BadSegment, BadChange, BadToken, BadSignature, UnknownNode, ClockSkew,
    Revoked, Forbidden, ChainGap, Fork, TooLarge, SchemaUnsupported)}


def from_body(status: int, body: dict) -> SyncError:
    """Rebuild the exception a hub answered with (client side)."""
    err = (body or {}).get("error") or {}
    code = err.get("code")
    cls = ERRORS.get(code, SyncError) if isinstance(code, str) else SyncError
    extra = {k: v for k, v in (body or {}).items() if k != "error"}
    exc = cls(err.get("message") or f"HTTP {status}", **extra)
    exc.status = status
    exc.code = code or exc.code  # keep codes outside the protocol list (not_found, …)
    return exc
