"""Ops of the schema before the hub's, upgraded to its own before they are applied. During a
rollout the hub accepts changes of schema SCHEMA - 1 (sync/change.py SCHEMA_RANGE); a
schema change that renames, splits or re-encodes a field adds its step here, in one place,
so the authoriser and the merge only ever see this release's ops. A schema change that
only adds tables or columns needs no step: the older op simply does not carry them.
The change keeps its exact bytes (and hash) in node_changes; only what is applied changes."""
from collections.abc import Callable

from sync import change

# UPGRADES[n] turns one op of schema n into the same op in schema n + 1.
UPGRADES: dict[int, Callable[[dict], dict]] = {}


def upgrade_ops(ops: list[dict], schema: int) -> list[dict]:
    for n in range(schema, change.SCHEMA):
        step = UPGRADES.get(n)
        if step is not None:
            ops = [step(op) for op in ops]
    return ops
