"""The hub's verdict on one op from a node: owner, outlet scope, actor role, hub fields,
set-once fields, freezes and ledger id reuse, then the table's own rules (its policy: the
order state machine, stock moves). Every check reads the declarations in shared/;
nothing is written here."""
from dataclasses import dataclass

from shared import policies, roles
from shared.tables import (HUB, TABLES, ByOutlet, ByParent, TableSpec, check_value, outlet_bucket,
                           tech_bucket)
from sync import hub_store, merge, relay
from sync.errors import CONFLICT, FORBIDDEN, FROZEN, INVALID, MOVED_AWAY, NOT_OWNER, OpRefused


@dataclass
class Verdict:
    spec: TableSpec
    row: merge.Row | None  # the stored row (record) or existing ledger row
    noop: bool = False      # a ledger add re-sent with the same fields


@dataclass
class Context:
    conn: object
    outlet_id: str
    actor: dict | None
    cache: dict
    clock: tuple[int, str] | None = None  # (hlc, origin) of the change being authorised
    technician_id: str | None = None  # a device's bound technician (None: the outlet's PC)


def _fields_ok(spec: TableSpec, fields: dict) -> None:
    for col, value in fields.items():
        kind = spec.columns.get(col)
        if kind is None or col == "id":
            raise OpRefused(INVALID, "no_field", table=spec.name, field=col)
        if not check_value(kind, value):
            raise OpRefused(INVALID, "bad_value", table=spec.name, field=col, kind=kind)


def _in_outlet(ctx: Context, spec: TableSpec, row: dict, creating: bool) -> None:
    rule = spec.bucket
    if isinstance(rule, ByParent) and creating:
        parent_id = row.get(rule.column) or ""
        # A parent whose outlet this transaction has noted exists (the hub deletes no rows).
        if not (parent_id and (rule.table, parent_id) in ctx.cache):
            parent = merge.load(ctx.conn, TABLES[rule.table], parent_id)
            if parent is None:
                raise OpRefused(INVALID, "missing_parent", table=spec.name, parent=rule.table)
            if parent_id:
                relay.remember_outlet(ctx.conn, TABLES[rule.table], parent, ctx.cache)
    outlet = relay.row_outlet(ctx.conn, spec, row, ctx.cache)
    if outlet is None and isinstance(rule, ByOutlet):
        raise OpRefused(INVALID, "required", table=spec.name, field=rule.column)
    if outlet != ctx.outlet_id:
        moved = _moved_away(ctx, spec, row)
        if moved is not None:
            refusal = OpRefused(MOVED_AWAY, "moved_away", table=moved[0], row=moved[1])
            refusal.moved = moved
            raise refusal
        raise OpRefused(NOT_OWNER, "other_outlet", table=spec.name, row=row.get("id"))


def _moved_away(ctx: Context, spec: TableSpec, row: dict) -> tuple[str, str] | None:
    """(table, id) of the row that decides where this one belongs (itself, or the order
    above an event) when HQ moved it away from the node's outlet; else None."""
    while isinstance(spec.bucket, ByParent):
        link = spec.bucket
        parent = merge.load(ctx.conn, TABLES[link.table], row.get(link.column) or "")
        if parent is None:
            return None
        spec, row = TABLES[link.table], dict(parent)
    if not isinstance(spec.bucket, ByOutlet) or not row.get("id"):
        return None
    return (spec.name, row["id"]) if hub_store.moved_from(ctx.conn, spec.name, row["id"], ctx.outlet_id) else None


def _in_device_scope(ctx: Context, spec: TableSpec, row: dict, creating: bool) -> None:
    """A device writes only its technician's share of the outlet: a row of a table that can
    travel in a technician's bucket must be in its technician's bucket — or have been
    theirs once (the clerk reassigned the order while the device was offline: the work
    done on it still reaches HQ). A new row that names no technician (a stock move off the
    outlet's shelf) is the outlet's, checked by `_in_outlet` alone."""
    if ctx.technician_id is None or not relay.reaches_technician(spec):
        return
    if creating and spec.technician is not None and row.get(spec.technician) is None:
        return
    if tech_bucket(ctx.technician_id) in relay.buckets_of(ctx.conn, spec, row, ctx.cache):
        return
    if _handed_over(ctx, spec, row):
        return
    raise OpRefused(NOT_OWNER, "other_technician", table=spec.name, row=row.get("id"))


def _handed_over(ctx: Context, spec: TableSpec, row: dict) -> bool:
    """Was the row that names the technician (the row itself, or its parent) once the
    device's technician's (hub_store.note_handover)?"""
    while spec.technician is None:
        link = spec.parent
        if link is None:
            return False
        spec = TABLES[link.table]
        row = merge.load(ctx.conn, spec, row.get(link.column) or "") or {}
    return bool(row.get("id")) and hub_store.handed_over(ctx.conn, spec.name, row["id"], ctx.technician_id)


def _frozen_parent(ctx: Context, spec: TableSpec, row: dict) -> None:
    if spec.frozen_with is None:
        return
    parent_spec, link = TABLES[spec.frozen_with], spec.parent
    sub = parent_spec.submit
    if link is None or sub is None:  # a freeze needs a submittable parent (shared/tables.py)
        raise TypeError(f"{spec.name} is frozen with {parent_spec.name}, which is no submittable parent")
    parent = merge.load(ctx.conn, parent_spec, row.get(link.column) or "")
    if parent is not None and parent.get(sub.column) != sub.draft:
        raise OpRefused(FROZEN, "frozen", table=parent_spec.name, row=parent["id"])


def _carried_visible(ctx: Context, spec: TableSpec, fields: dict, row) -> None:
    """A row this one carries into the outlet's bucket (an order's customer) must already be
    the outlet's: otherwise naming a customer id would copy another outlet's customer, phone
    number and all, to this node."""
    for col, table in spec.carries:
        ref_id = fields.get(col)
        if ref_id is None or (row is not None and row.get(col) == ref_id):
            continue
        ref = merge.load(ctx.conn, TABLES[table], ref_id)
        if ref is None:
            raise OpRefused(INVALID, "names_missing", table=spec.name, field=col, ref_table=table)
        if outlet_bucket(ctx.outlet_id) not in relay.buckets_of(ctx.conn, TABLES[table], ref):
            raise OpRefused(NOT_OWNER, "not_served", ref_table=table, ref=ref_id)


def _technician_named(ctx: Context, spec: TableSpec, fields: dict) -> None:
    """A row's technician column (an order's technician, a bag's holder), when written,
    names a technician of the outlet (active or not: a leaver's bag is still handed back),
    else the row would reach the devices of someone who is not the outlet's technician."""
    holder = fields.get(spec.technician) if spec.technician else None
    if holder is None:
        return
    user = merge.load(ctx.conn, TABLES[policies.ACTOR_TABLE], holder)
    if user is None or user.get("outlet_id") != ctx.outlet_id or user.get("role") != roles.Role.TECHNICIAN:
        raise OpRefused(NOT_OWNER, "not_technician", table=spec.name, field=spec.technician)


def _actor_ok(ctx: Context) -> str:
    role = policies.outlet_role(ctx.actor, ctx.outlet_id)
    if role is None:
        raise OpRefused(FORBIDDEN, "actor_inactive")
    return role


def authorize(ctx: Context, op: dict) -> Verdict:
    spec = TABLES.get(op["table"])
    if spec is None:
        raise OpRefused(INVALID, "unknown_table", table=op["table"])
    if spec.owner == HUB:
        raise OpRefused(NOT_OWNER, "hub_table", table=spec.name)
    role = _actor_ok(ctx)
    fields = op["fields"]
    _fields_ok(spec, fields)
    actor_id = fields.get(policies.ACTOR_FIELD)
    if actor_id is not None and actor_id != (ctx.actor or {}).get("id"):
        raise OpRefused(INVALID, "actor_mismatch", table=spec.name)
    if spec.is_record != (op["op"] == "put"):
        raise OpRefused(INVALID, "wrong_op", table=spec.name, kind=spec.kind, use="put" if spec.is_record else "add")
    row = merge.load(ctx.conn, spec, op["id"])
    if spec.is_record:
        return _authorize_put(ctx, spec, op["id"], fields, row, role)
    return _authorize_add(ctx, spec, op["id"], fields, row, role)


def _authorize_put(ctx, spec, row_id, fields, row, role) -> Verdict:
    hub_fields = [f for f in fields if f in spec.hub_fields]
    if hub_fields:
        raise OpRefused(NOT_OWNER, "hub_field", table=spec.name, field=hub_fields[0])
    creating = row is None
    merged = {"id": row_id, **(row or {}), **fields}
    _in_outlet(ctx, spec, merged, creating)
    _in_device_scope(ctx, spec, merged, creating)
    if not creating:
        for col in spec.set_once & set(fields):
            if fields[col] != row.get(col):
                raise OpRefused(NOT_OWNER, "set_once", table=spec.name, field=col)
    sub = spec.submit
    if sub is not None:
        if not creating and row.get(sub.column) != sub.draft:
            raise OpRefused(FROZEN, "frozen", table=spec.name, row=row_id)
        if sub.column in fields and fields[sub.column] not in (sub.draft, sub.submitted):
            raise OpRefused(FORBIDDEN, "submit_only", table=spec.name)
    _frozen_parent(ctx, spec, merged)
    _carried_visible(ctx, spec, fields, row)
    if spec.technician and fields.get(spec.technician) != (row or {}).get(spec.technician):
        _technician_named(ctx, spec, fields)
    if not creating and ctx.clock is not None:
        # The same (hlc, origin) already wrote another value: the device's clock went back
        # (restored from an old copy) and LWW could never tell the two writes apart.
        reused = [f for f, v in fields.items() if row.clock(f) == ctx.clock and row.get(f) != v]
        if reused:
            raise OpRefused(CONFLICT, "clock_reused", table=spec.name, field=reused[0])
    written = [f for f in fields if creating or f not in spec.set_once or fields[f] != row.get(f)]
    actor_id = (ctx.actor or {}).get("id")
    written = [f for f in written if not roles.may_claim(role, spec.name, f, fields[f], actor_id,
                                                          None if row is None else row.get(f))]
    if not roles.may_put(role, spec.name, written, creating):
        raise OpRefused(FORBIDDEN, "role_fields", role=role, table=spec.name)
    return Verdict(spec, row)


def _authorize_add(ctx, spec, row_id, fields, row, role) -> Verdict:
    if row is not None:
        if merge.same_ledger_row(row, fields):
            return Verdict(spec, row, noop=True)
        raise OpRefused(CONFLICT, "ledger_conflict", table=spec.name, row=row_id)
    _in_outlet(ctx, spec, {"id": row_id, **fields}, creating=True)
    _in_device_scope(ctx, spec, {"id": row_id, **fields}, creating=True)
    if not roles.may_add(role, spec.name):
        raise OpRefused(FORBIDDEN, "role_add", role=role, table=spec.name)
    _technician_named(ctx, spec, fields)
    spec.policy.authorize_add(role, fields, (ctx.actor or {}).get("id"))
    if spec.sets_parent and spec.parent is not None:
        target_col, source_col = spec.sets_parent
        parent_spec = TABLES[spec.parent.table]
        parent = merge.load(ctx.conn, parent_spec, fields[spec.parent.column])
        if parent is not None:  # _in_outlet found it
            parent_spec.policy.check_transition(parent, {target_col: fields.get(source_col)})
    return Verdict(spec, None)
