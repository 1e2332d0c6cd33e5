"""Canonical bytes and hashes. A change's hash is over the exact bytes sent and stored;
nobody re-serialises before hashing."""
import hashlib
import json

ZERO_HASH = "0" * 64


def canonical_bytes(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def has_float(obj) -> bool:
    """True if a float hides anywhere in a decoded JSON value (money and clocks are ints)."""
    if isinstance(obj, float):
        return True
    if isinstance(obj, dict):
        return any(has_float(v) for v in obj.values())
    if isinstance(obj, list):
        return any(has_float(v) for v in obj)
    return False


def _no_float(_text):
    raise ValueError("float")


def loads_strict(data: bytes | str):
    """json.loads that refuses floats, NaN and Infinity outright (cheaper than a walk)."""
    return json.loads(data, parse_float=_no_float, parse_constant=_no_float)
