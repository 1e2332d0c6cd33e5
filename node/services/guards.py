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


def storable_text(ops: list[dict]) -> None:
    """Every text an action writes must be UTF-8 text: a lone surrogate (half an emoji
    from a broken input method, or a crafted request) can be neither stored nor synced,
    so the person is told which field to fix before anything is written."""
    for op in ops:
        for name, value in op["fields"].items():
            if not is_text(value):
                raise ServiceError.on_field("bad_text", name)


def is_text(value) -> bool:
    """True unless a str (at any depth) holds something UTF-8 cannot encode."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(is_text(k) and is_text(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(is_text(v) for v in value)
    return True
