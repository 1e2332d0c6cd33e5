"""Checks every action makes before it writes, reading the same tables the hub checks
(shared/roles.py), so a clerk is told at once, in words, instead of finding a refusal in
the sync panel later: the role, and that a row is this outlet's."""
from shared import roles
from shared.labels import in_sentence, label, pair
from shared.roles import Role
from shared.tables import TABLES, ByOutlet, ByParent

from node.services.errors import ServiceError
from node.services.session import Session

_ORDER = (Role.TECHNICIAN, Role.CLERK, Role.OUTLET_MANAGER)


def _roles_text(allowed) -> tuple[str, str]:
    names = [r for r in _ORDER if r in allowed]
    return ("或".join(label("role", r, "zh") for r in names),
            " or ".join(label("role", r, "en") for r in names))


def forbidden(action: str, allowed) -> ServiceError:
    return ServiceError.of("role_forbidden", roles=_roles_text(allowed), action=pair("action", action))


def require_put(session: Session, table: str, fields, creating: bool, action: str) -> None:
    if not roles.may_put(session.role, table, list(fields), creating):
        allowed = [r for r in roles.OUTLET_ROLES if roles.may_put(r, table, list(fields), creating)]
        raise forbidden(action, allowed)


def require_add(session: Session, table: str, action: str, kind: str | None = None) -> None:
    ok = roles.may_add(session.role, table) and (kind is None or roles.may_move(session.role, kind))
    if not ok:
        allowed = [r for r in roles.OUTLET_ROLES if roles.may_add(r, table)
                   and (kind is None or roles.may_move(r, kind))]
        raise forbidden(action, allowed)


def own_row(ctx, table: str, row_id: str | None) -> dict:
    """A row of this outlet (directly or through its parent), else a clear refusal."""
    spec = TABLES[table]
    row = ctx.one(f"SELECT * FROM [{table}] WHERE id = ?", (row_id or "",))
    if row is None:
        raise ServiceError.of("not_found", thing=pair("table", table))
    rule, current = spec.bucket, row
    while isinstance(rule, ByParent):
        current = ctx.one(f"SELECT * FROM [{rule.table}] WHERE id = ?", (current.get(rule.column) or "",))
        if current is None:
            raise ServiceError.of("not_found", thing=pair("table", table))
        rule = TABLES[rule.table].bucket
    if isinstance(rule, ByOutlet) and current.get(rule.column) != ctx.outlet_id:
        raise ServiceError.of("foreign_outlet", thing=in_sentence("table", table))
    return row
