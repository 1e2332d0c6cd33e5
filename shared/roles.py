"""Roles and what each may do. The hub checks every op's actor against these tables; node
services check the same tables before writing, so a hidden button is never the only guard."""
from enum import StrEnum


class Role(StrEnum):
    TECHNICIAN = "technician"
    CLERK = "clerk"
    OUTLET_MANAGER = "outlet_manager"
    HQ_AGENT = "hq_agent"
    HQ_APPROVER = "hq_approver"
    ADMIN = "admin"


OUTLET_ROLES = frozenset({Role.TECHNICIAN, Role.CLERK, Role.OUTLET_MANAGER})
HUB_ROLES = frozenset({Role.HQ_AGENT, Role.HQ_APPROVER, Role.ADMIN})
OFFICE = frozenset({Role.CLERK, Role.OUTLET_MANAGER})
ANY_FIELD = None  # a role that may write every outlet field of a table

# Outlet tables: role -> the fields it may put (ANY_FIELD: all non-hub fields).
# Ledgers list the roles that may add rows; `create` lists who may insert a new record.
PUT_FIELDS: dict[str, dict[Role, frozenset[str] | None]] = {
    "service_orders": {
        Role.CLERK: ANY_FIELD,
        Role.OUTLET_MANAGER: ANY_FIELD,
        Role.TECHNICIAN: frozenset({
            "appointment_at", "notes", "resolution", "serial_no", "purchase_date",
            "fault_description", "fault_code", "product_model_id"}),
    },
    **{t: {r: ANY_FIELD for r in OFFICE} for t in (
        "parts_requests", "parts_request_lines", "stock_counts", "stock_count_lines",
        "settlements", "settlement_lines", "receipt_discrepancies", "part_shelves")},
}
CREATE: dict[str, frozenset[Role]] = {
    "service_orders": OFFICE,
    **{t: OFFICE for t in (
        "parts_requests", "parts_request_lines", "stock_counts", "stock_count_lines",
        "settlements", "settlement_lines", "receipt_discrepancies", "part_shelves")},
}
# Fields a role may set only to the acting user, and only while empty: a technician who
# accepts an unassigned order takes it (service_orders.technician_id), and no other.
CLAIM: dict[str, dict[Role, frozenset[str]]] = {
    "service_orders": {Role.TECHNICIAN: frozenset({"technician_id"})},
}
ADD: dict[str, frozenset[Role]] = {
    "order_events": OUTLET_ROLES,
    "order_parts": OUTLET_ROLES,
    "stock_moves": OUTLET_ROLES,
    "attachments": OUTLET_ROLES,
    "order_audit": OUTLET_ROLES,
}
# Stock move kinds an outlet may record; transfers and adjustments are posted by the hub.
# The clerk issues parts to a technician; unused parts go back by either (the technician
# hands them in, or the clerk takes them). Whose bag a role may touch: `may_hold`.
OUTLET_MOVE_KINDS = {
    "consume": OUTLET_ROLES,
    "return": OUTLET_ROLES,
    "receipt": OFFICE,
    "issue": OFFICE,
    "hand_back": OUTLET_ROLES,
}
# The kinds a clerk or manager may record in a technician's bag (they never use a bag's parts).
OFFICE_BAG_KINDS = frozenset({"issue", "hand_back"})


def may_put(role: str, table: str, fields, creating: bool) -> bool:
    """May an outlet user of `role` write these fields of `table` (creating a row or not)?"""
    try:
        role = Role(role)
    except ValueError:
        return False
    if creating and role not in CREATE.get(table, ()):
        return False
    allowed = PUT_FIELDS.get(table, {})
    if role not in allowed:
        return False
    scope = allowed[role]
    return scope is ANY_FIELD or set(fields) <= scope


def may_claim(role: str, table: str, field: str, value, actor_id: str | None, current) -> bool:
    """May an outlet user of `role` set `field` of `table` to `value`? Only to themselves,
    only while the field is empty (or already them: the same claim re-sent)."""
    try:
        role = Role(role)
    except ValueError:
        return False
    return (field in CLAIM.get(table, {}).get(role, frozenset()) and actor_id is not None
            and value == actor_id and current in (None, "", actor_id))


def may_add(role: str, table: str) -> bool:
    try:
        return Role(role) in ADD.get(table, ())
    except ValueError:
        return False


def may_move(role: str, kind: str) -> bool:
    try:
        return Role(role) in OUTLET_MOVE_KINDS.get(kind, ())
    except ValueError:
        return False


def may_hold(role: str, actor_id: object, kind: str, holder: object) -> bool:
    """May an outlet user (`actor_id`, of `role`) record a `kind` move in the bag of
    `holder` (None: the store, which any role may)? A technician only in their own bag; a
    clerk or manager only issues to and takes back from a bag."""
    if holder is None:
        return True
    if role == Role.TECHNICIAN:
        return holder == actor_id
    return role in OFFICE and kind in OFFICE_BAG_KINDS


# HQ's work → the hub roles that may do it; hub services check these on every call.
class HqWork(StrEnum):
    INTAKE = "intake"            # take calls, look up and create customers, record requests
    DISPATCH = "dispatch"        # send orders to outlets, re-dispatch, cancel
    MONITOR = "monitor"          # the SLA board and escalations
    APPROVE = "approve"          # parts requests, stock variances, settlements
    COMPLAINTS = "complaints"    # the departments' complaint queues
    CALLBACK = "callback"        # call customers back after completion
    KB_MANAGE = "kb_manage"      # categories and articles of the knowledge base
    REPORTS = "reports"
    ADMIN = "admin"              # outlets, users, rules, policies, templates, nodes
    MASTER_DATA = "master_data"  # product categories, models, parts and prices, faults; customer merges
    CUSTOMERS = "customers"      # the customer list, customer groups, the products customers own
    QUERY = "query"              # ticket query (工单查询): find any order, open its full record
    EXPORT = "export"            # the ticket query's result as an Excel file


HQ_WORK: dict[str, frozenset[Role]] = {
    HqWork.INTAKE: frozenset({Role.HQ_AGENT, Role.ADMIN}),
    HqWork.DISPATCH: frozenset({Role.HQ_AGENT, Role.ADMIN}),
    HqWork.MONITOR: HUB_ROLES,
    HqWork.APPROVE: frozenset({Role.HQ_APPROVER, Role.ADMIN}),
    HqWork.COMPLAINTS: frozenset({Role.HQ_AGENT, Role.HQ_APPROVER, Role.ADMIN}),
    HqWork.CALLBACK: frozenset({Role.HQ_AGENT, Role.ADMIN}),
    HqWork.KB_MANAGE: frozenset({Role.ADMIN}),
    HqWork.REPORTS: HUB_ROLES,
    HqWork.ADMIN: frozenset({Role.ADMIN}),
    HqWork.MASTER_DATA: frozenset({Role.ADMIN}),
    HqWork.CUSTOMERS: frozenset({Role.HQ_AGENT, Role.ADMIN}),
    HqWork.QUERY: HUB_ROLES,
    HqWork.EXPORT: HUB_ROLES,
}
