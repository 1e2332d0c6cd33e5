"""Canonical bytes and hashes. A change's hash is over the exact bytes sent and stored;
nobody re-serialises before hashing."""
import hashlib
import json
import re

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


# A \uD800-\uDFFF escape: half of a surrogate pair, or a lone surrogate that no UTF-8
# text can hold (SQLite could not store it, canonical_bytes could not send it on).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def loads_untrusted(data: bytes | str, *, floats: bool = True):
    """json.loads for bytes from the network. Refused with ValueError (its text says why):
    anything but UTF-8 (encoded surrogates included, which json.loads lets through),
    nesting deeper than the parser's recursion limit (which json.loads reports as
    RecursionError), lone surrogates in \\u escapes, and, unless `floats`, floats, NaN
    and Infinity (ValueError("float"))."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("not UTF-8") from None
    try:
        obj = json.loads(data) if floats else json.loads(data, parse_float=_no_float, parse_constant=_no_float)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if _SURROGATE_ESCAPE.search(data):
        try:
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except (UnicodeEncodeError, RecursionError):
            raise ValueError("a lone surrogate is not text") from None
    return obj


def loads_strict(data: bytes | str):
    """loads_untrusted that refuses floats, NaN and Infinity outright (cheaper than a walk)."""
    return loads_untrusted(data, floats=False)
