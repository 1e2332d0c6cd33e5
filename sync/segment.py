"""Segments: a signed manifest line followed by changes' exact bytes (NDJSON). Used for a
node's push (purpose `segment`) and the hub's bucket pulls (purpose `bucket`)."""
import zlib

from sync import keys
from sync.canonical import ZERO_HASH, canonical_bytes, loads_untrusted, sha256_hex
from sync.change import check_change, decode_change, is_hash
from sync.errors import BadRequest, BadSegment, BadSignature, TooLarge

MAX_CHANGES = 1000
MAX_BYTES = 4 * 1024 * 1024


def inflate(body: bytes, limit: int = MAX_BYTES) -> bytes:
    """Gunzip a body without ever holding more than `limit` bytes (no zip bombs)."""
    d = zlib.decompressobj(wbits=31)
    try:
        out = d.decompress(body, limit + 1)
    except zlib.error:
        raise BadRequest("body is not valid gzip") from None
    if len(out) > limit or d.unconsumed_tail:
        raise TooLarge(f"body is larger than {limit} bytes decompressed")
    if not d.eof:
        raise BadRequest("gzip body is truncated")
    return out


def encode(manifest: dict, sig: str, lines: list[bytes]) -> bytes:
    head = canonical_bytes({"manifest": manifest, "sig": sig})
    return b"\n".join([head, *lines]) + b"\n"


def sign_manifest(key: keys.SigningKey, purpose: bytes, manifest: dict) -> str:
    return key.sign(purpose, canonical_bytes(manifest))


def split(body: bytes) -> tuple[dict, str, list[bytes]]:
    """Split NDJSON into (manifest, sig, change lines); BadRequest for malformed input."""
    if len(body) > MAX_BYTES:
        raise TooLarge(f"segment is larger than {MAX_BYTES} bytes")
    lines = body.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        raise BadRequest("empty body: a segment starts with its manifest line")
    try:
        head = loads_untrusted(lines[0])
    except ValueError:
        raise BadRequest("the manifest line is not valid JSON") from None
    if not isinstance(head, dict) or not isinstance(head.get("manifest"), dict):
        raise BadRequest("line 1 must be {\"manifest\": {...}, \"sig\": \"...\"}")
    if not isinstance(head.get("sig"), str):  # docs/protocol.md: a missing signature is bad_signature
        raise BadSignature("the segment manifest is not signed")
    if len(lines) - 1 > MAX_CHANGES:
        raise TooLarge(f"a segment carries at most {MAX_CHANGES} changes")
    return head["manifest"], head["sig"], lines[1:]


def _int(m, key, minimum=0) -> int:
    v = m.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
        raise BadSegment(f"manifest field {key!r} must be an integer ≥ {minimum}")
    return v


def check_manifest(m: dict, lines: list[bytes], *, hub_id: str, origin_key: str,
                   origin: str) -> None:
    """Structural checks of a manifest against its lines (not its signature)."""
    if m.get("v") != 1:
        raise BadSegment("manifest version must be 1")
    if m.get("hub") != hub_id:
        raise BadSegment("segment is addressed to another hub")
    if m.get(origin_key) != origin:
        raise BadSegment(f"manifest {origin_key} does not match the sender")
    epoch, first, last, count = (_int(m, "epoch", 1), _int(m, "first", 1),
                                 _int(m, "last", 0), _int(m, "count", 0))
    if count != len(lines) or last - first + 1 != count:
        raise BadSegment("manifest first/last/count do not match the lines sent")
    if not (is_hash(m.get("prev")) and is_hash(m.get("head"))):
        raise BadSegment("manifest prev and head must be SHA-256 hex")
    del epoch


def verify_chain(m: dict, lines: list[bytes], chain_origin: str, any_schema: bool = False) -> list[tuple[str, dict]]:
    """Hash every line, check each change and the prev links, then `head`.
    Returns [(hash, change)] in seq order. (`any_schema`: see change.check_change.)"""
    prev = m["prev"]
    out = []
    for i, line in enumerate(lines):
        change = decode_change(line)
        h = sha256_hex(line)
        if change.get("prev") != prev:
            raise BadSegment(f"change {m['first'] + i} does not chain to the previous one")
        check_change(change, origin=chain_origin, epoch=m["epoch"], seq=m["first"] + i,
                     prev=prev, any_schema=any_schema)
        out.append((h, change))
        prev = h
    if prev != m["head"] and lines:
        raise BadSegment("manifest head does not match the last change")
    if not lines and m["head"] != m["prev"]:
        raise BadSegment("an empty segment's head must equal its prev")
    return out


def manifest_for(*, hub: str, origin_key: str, origin: str, epoch: int, first: int,
                 lines: list[bytes], prev: str, **extra) -> dict:
    head = sha256_hex(lines[-1]) if lines else prev
    return {"v": 1, "hub": hub, origin_key: origin, "epoch": epoch, "first": first,
            "last": first + len(lines) - 1, "prev": prev or ZERO_HASH, "head": head,
            "count": len(lines), **extra}
