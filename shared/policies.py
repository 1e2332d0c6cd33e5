"""The business rules of the replicated tables, as hooks the sync engine calls without
knowing them. The engine (sync/) applies what every table declares (shared/tables.py:
owner, kind, buckets, hub fields, set-once fields, freezes); where a table has rules of
the business besides — the order state machine, which stock moves an outlet may record,
what a refusal notice tells a node — its TableSpec names a policy here, and the engine
asks it at the same generic points for every table."""
from collections.abc import Mapping
from dataclasses import dataclass

from shared import orders, roles, stock
from shared.audit import AuditAction
from shared.refusals import BAD_TRANSITION, FORBIDDEN, INVALID, OpRefused

# The rows a change's `actor` names, and the column by which a row names the user who made
# it (it must be the change's actor).
ACTOR_TABLE = "users"
ACTOR_FIELD = "actor_id"
# The outlets nodes enroll at; an outlet's code starts the numbers its nodes mint.
OUTLET_TABLE = "outlets"


def outlet_code(outlet: Mapping[str, object] | None, outlet_id: str) -> str:
    code = (outlet or {}).get("code")
    return code if isinstance(code, str) and code else outlet_id


def outlet_role(actor: Mapping[str, object] | None, outlet_id: str) -> str | None:
    """The role an actor writes an outlet's changes with: an active user of that outlet
    in an outlet role; None when the actor may not write for it at all."""
    if not actor or not actor.get("active") or actor.get("outlet_id") != outlet_id:
        return None
    role = actor.get("role")
    return role if isinstance(role, str) and role in roles.OUTLET_ROLES else None


@dataclass(frozen=True)
class RefusedOp:
    """A pulled row telling a node that HQ refused one of its ops, as the node keeps it."""
    table: str | None
    row_id: str | None
    code: str | None
    message: str | None
    at: int | None
    row_exists: bool  # HQ holds the row: its version came with the refusal


class TablePolicy:
    """A table with no rules beyond its declaration: every hook allows, reports nothing."""

    def authorize_add(self, role: str, fields: Mapping[str, object], actor_id: object = None) -> None:
        """Raise OpRefused if an outlet user of `role` (users.id `actor_id`) may not add this
        ledger row (asked after the declared checks: owner, outlet, role may add the table,
        a `TableSpec.technician` column names a technician of the outlet)."""

    def check_transition(self, row: Mapping[str, object], fields: Mapping[str, object]) -> None:
        """Raise OpRefused if an outlet's ledger row may not move `row` (of this table) to
        `fields` (TableSpec.sets_parent: an order event moving its order's status)."""

    def refused_op(self, fields: Mapping[str, object], node_id: str) -> RefusedOp | None:
        """The op of node `node_id` that this pulled row says HQ refused, if it says so."""
        return None

    def retired_at(self, row: Mapping[str, object]) -> int | None:
        """When the row's work ended (an order closed or cancelled), or None while it goes
        on: a device keeps its technician's retired rows only for a while."""
        return None


class OrderStates(TablePolicy):
    """Service orders move only along the state machine (shared/orders.py), the outlet
    commanding its side of it."""

    def check_transition(self, row: Mapping[str, object], fields: Mapping[str, object]) -> None:
        current, target = row.get("status"), fields.get("status")
        if not (isinstance(target, str) and (current is None or isinstance(current, str))
                and orders.can_transition(current, target, orders.OUTLET)):
            raise OpRefused(BAD_TRANSITION, "bad_transition", number=row.get("number") or row.get("id"),
                            from_status=current, to_status=target)

    def retired_at(self, row: Mapping[str, object]) -> int | None:
        if row.get("status") in orders.TERMINAL:
            return _int(row, "closed_at") or 0
        return None


class StockMoves(TablePolicy):
    """An outlet records only the move kinds its role may, in the places each kind may be
    (a bag: issues, hand-backs, consumptions), with the sign each kind has there; a
    technician moves only their own bag, a clerk or manager only issues and takes back."""

    def authorize_add(self, role: str, fields: Mapping[str, object], actor_id: object = None) -> None:
        kind, qty, holder = fields.get("kind"), fields.get("qty"), fields.get("holder")
        if not (isinstance(kind, str) and roles.may_move(role, kind)):
            raise OpRefused(FORBIDDEN, "role_move", role=role, move_kind=kind)
        if not stock.place_fits(kind, holder):
            raise OpRefused(INVALID, "not_in_bag", move_kind=kind)
        bag = holder
        if kind in stock.PAIRED_KINDS:  # both moves of a pair are judged by the bag their ref names
            bag = stock.pair_holder(fields.get("ref"))
            if bag is None or holder not in (None, bag):
                raise OpRefused(INVALID, "bad_pair", move_kind=kind)
        if not roles.may_hold(role, actor_id, kind, bag):
            raise OpRefused(FORBIDDEN, "other_bag" if role == roles.Role.TECHNICIAN else "office_bag",
                            role=role, move_kind=kind)
        if not stock.qty_fits(kind, qty, holder):
            raise OpRefused(INVALID, "bad_qty", move_kind=kind, qty=qty)


class OrderAudit(TablePolicy):
    """An outlet records only the audit actions the vocabulary names (shared/audit.py)."""

    def authorize_add(self, role: str, fields: Mapping[str, object], actor_id: object = None) -> None:
        if fields.get("action") not in set(AuditAction) or not isinstance(fields.get("at"), int):
            raise OpRefused(INVALID, "bad_value", table="order_audit", field="action", kind="audit action")


class Notices(TablePolicy):
    """HQ's notices to an outlet; a `refused` one names the node whose op it refused."""

    def refused_op(self, fields: Mapping[str, object], node_id: str) -> RefusedOp | None:
        if fields.get("kind") != "refused" or fields.get("origin") != node_id:
            return None
        return RefusedOp(_text(fields, "table_name"), _text(fields, "row_id"), _text(fields, "code"),
                         _text(fields, "message"), _int(fields, "at"), bool(fields.get("row_exists")))


# The table the hub tells an outlet of a refused op in, one `refusal_notice` row per op.
NOTICES = "notices"


def refusal_notice(*, outlet_id: str, origin: str, seq: int, op_index: int, refusal: OpRefused,
                   table: str | None, row_id: str | None, row_exists: bool, at: int) -> dict:
    """The notice row the hub adds for a refused op (read back by `Notices.refused_op`)."""
    return {"outlet_id": outlet_id, "kind": "refused", "code": refusal.code,
            "message": refusal.message, "detail": refusal.detail, "table_name": table,
            "row_id": row_id, "origin": origin, "seq": seq, "op_index": op_index,
            "row_exists": row_exists, "at": at}


def _text(fields: Mapping[str, object], name: str) -> str | None:
    value = fields.get(name)
    return value if isinstance(value, str) else None


def _int(fields: Mapping[str, object], name: str) -> int | None:
    value = fields.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
