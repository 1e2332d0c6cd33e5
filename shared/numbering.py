"""Human order numbers minted offline that never collide: each node has its own letter
within its outlet, and each (outlet, letter) its own counter; HQ mints HQ-<counter>."""
import re

_NODE_NUMBER = re.compile(r"(?:^|-)(?P<outlet>[A-Z0-9]+)-(?P<letter>[A-Z]{1,2})-(?P<counter>\d+)$")
_HQ_NUMBER = re.compile(r"^HQ-(?P<counter>\d+)$")


def node_number(outlet_code: str, node_letter: str, counter: int) -> str:
    return f"{outlet_code}-{node_letter}-{counter:06d}"


def renumbered(number: str, k: int) -> str:
    """The `k`-th number the hub gives a row whose offline-minted number another row took
    first (a node restored from an old copy minted it again): `…-R2`, `…-R3`, …"""
    return f"{number}-R{k}"


def hq_number(counter: int) -> str:
    return f"HQ-{counter:07d}"


def node_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the letter of the index-th node enrolled at an outlet."""
    if index < 26:
        return chr(ord("A") + index)
    return chr(ord("A") + index // 26 - 1) + chr(ord("A") + index % 26)


def counter_of(number: str, outlet_code: str, letter: str) -> int | None:
    """The counter of a number minted by (outlet, letter), else None; lets a node restored
    from an old copy move its counter past numbers it minted before the restore."""
    m = _NODE_NUMBER.search(number or "")
    if m and m["outlet"] == outlet_code and m["letter"] == letter:
        return int(m["counter"])
    return None


def hq_counter_of(number: str) -> int | None:
    m = _HQ_NUMBER.match(number or "")
    return int(m["counter"]) if m else None
