"""The change: one local transaction of one origin, as docs/protocol.md specifies it. Making a
change yields its exact bytes; checking one refuses anything the protocol forbids."""
import re

from shared.release import APP_VERSION
from sync.canonical import ZERO_HASH, canonical_bytes, loads_strict
from sync.errors import BadChange, SchemaUnsupported
from sync.schema import is_int

VERSION = 1
SCHEMA = 1  # the op format this release writes: its tables and columns (shared/tables.py)
# What the hub accepts: its own schema and the one before, so that outlets one release
# behind keep syncing while a rollout goes on (their ops are upgraded: sync/op_upgrade.py).
SCHEMA_RANGE = (max(1, SCHEMA - 1), SCHEMA)
MAX_OPS = 1000
OPS = ("put", "add")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TOP = {"v", "origin", "epoch", "seq", "prev", "hlc", "at", "actor", "outlet", "schema", "ops"}
_OP_KEYS = {"op", "table", "id", "fields", "hlc", "src", "auth"}


def make_change(*, origin: str, epoch: int, seq: int, prev: str, hlc: int, at: int,
                actor: str, outlet: str | None, ops: list[dict], schema: int | None = None) -> bytes:
    """`schema`: the op format the ops are in (default this release's)."""
    return canonical_bytes({"v": VERSION, "origin": origin, "epoch": epoch, "seq": seq,
                            "prev": prev, "hlc": hlc, "at": at, "actor": actor, "outlet": outlet,
                            "schema": SCHEMA if schema is None else schema, "ops": ops})


def bucket_schema() -> int:
    """The schema the hub stamps on its bucket changes: the oldest it serves, so that every
    node it serves takes them (a 0.1.0 node refuses any other). What a node of that schema
    does not know in them, a column or a table, it ignores (sync/node_store.py)."""
    return SCHEMA_RANGE[0]


def release_params() -> dict:
    """What a node runs, for its hello: HQ keeps it to show who is behind in a rollout."""
    return {"app_version": APP_VERSION, "schema": SCHEMA}


def _int(obj, key, minimum=0) -> bool:
    v = obj.get(key)
    return isinstance(v, int) and not isinstance(v, bool) and v >= minimum


def decode_change(line: bytes) -> dict:
    try:
        obj = loads_strict(line)
    except ValueError as exc:
        if str(exc) == "float":
            raise BadChange("a change carries a float; money, quantities and times are integers") from None
        raise BadChange(f"a change line is not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise BadChange("a change must be a JSON object")
    return obj


def check_change(obj: dict, *, origin: str, epoch: int, seq: int, prev: str, any_schema: bool = False) -> None:
    """Raise BadChange (or SchemaUnsupported) unless obj is a well-formed change with the
    expected place in its chain. `any_schema`: a node reading HQ's bucket takes changes of
    any schema (it ignores what it does not know); HQ takes only the schemas it serves."""
    if set(obj) - _TOP or not {"v", "origin", "epoch", "seq", "prev", "hlc", "ops"} <= set(obj):
        raise BadChange(f"change {seq}: unexpected or missing keys")
    if obj["v"] != VERSION:
        raise BadChange(f"change {seq}: unknown version {obj['v']!r}")
    if obj["origin"] != origin or obj["epoch"] != epoch or obj["seq"] != seq:
        raise BadChange(f"change {seq}: origin/epoch/seq do not match the manifest")
    if obj["prev"] != prev:
        raise BadChange(f"change {seq}: prev does not link to the previous change")
    if not (_int(obj, "hlc") and _int(obj, "at") and _int(obj, "epoch", 1) and _int(obj, "seq", 1)):
        raise BadChange(f"change {seq}: hlc, at, epoch and seq must be integers")
    if not isinstance(obj.get("actor"), str) or not isinstance(obj.get("outlet"), (str, type(None))):
        raise BadChange(f"change {seq}: actor and outlet must be strings")
    if not any_schema:
        check_schema(obj.get("schema", SCHEMA), f"change {seq}")
    elif not _int(obj, "schema", 1):
        raise BadChange(f"change {seq}: schema must be a positive integer")
    ops = obj["ops"]
    if not isinstance(ops, list) or not 1 <= len(ops) <= MAX_OPS:
        raise BadChange(f"change {seq}: ops must be a list of 1 to {MAX_OPS}")
    for i, op in enumerate(ops):
        check_op(op, f"change {seq} op {i}")


def check_schema(schema, where: str) -> None:
    """SchemaUnsupported unless the hub understands this schema; the message says who
    upgrades: HQ (a device ahead of it) or the device (one HQ no longer serves)."""
    low, high = SCHEMA_RANGE
    if is_int(schema) and low <= schema <= high:
        return
    if is_int(schema) and schema > high:
        why = "it is newer than HQ's; HQ upgrades first, the device keeps its changes until then"
    else:
        why = "HQ no longer accepts it; upgrade this device, its changes stay on it until then"
    raise SchemaUnsupported(f"{where}: schema {schema!r} is outside {low}..{high}: {why}",
                            schema={"min": low, "max": high})


def check_op(op, where: str) -> None:
    if not isinstance(op, dict) or set(op) - _OP_KEYS:
        raise BadChange(f"{where}: not an op object")
    if op.get("op") not in OPS:
        raise BadChange(f"{where}: unknown op {op.get('op')!r}")
    if not isinstance(op.get("table"), str) or not isinstance(op.get("fields"), dict):
        raise BadChange(f"{where}: table and fields are required")
    rid = op.get("id")
    if not isinstance(rid, str) or not 0 < len(rid) <= 200:
        raise BadChange(f"{where}: id must be a non-empty string")
    if "hlc" in op and not _int(op, "hlc"):
        raise BadChange(f"{where}: hlc must be an integer")
    if "src" in op and not isinstance(op["src"], str):
        raise BadChange(f"{where}: src must be a string")


def is_hash(value) -> bool:
    return isinstance(value, str) and bool(_HEX64.match(value))


__all__ = ["make_change", "decode_change", "check_change", "is_hash", "ZERO_HASH"]
