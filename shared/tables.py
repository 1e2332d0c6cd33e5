"""Every replicated table, declared once, with its sync policy: owner (who writes it),
kind (record = field-level last-writer-wins, ledger = append-only), hub-only fields,
set-once fields, the bucket a row travels in and when a row is frozen, and the business
rules the engine asks about (`policy`, shared/policies.py). The hub's authoriser, both
stores' schemas and the merge rules read these declarations."""
from dataclasses import dataclass, field
from collections.abc import Mapping

from shared.policies import Notices, OrderAudit, OrderStates, StockMoves, TablePolicy

HUB, OUTLET = "hub", "outlet"
RECORD, LEDGER = "record", "ledger"
TEXT, INT, BOOL, JSON = "text", "int", "bool", "json"

GLOBAL_BUCKET = "global"


def outlet_bucket(outlet_id: str) -> str:
    return f"outlet:{outlet_id}"


def tech_bucket(user_id: str) -> str:
    """The bucket a technician's devices read (DESIGN.md "Nodes of two sizes"): the rows
    whose `TableSpec.technician` column names that technician, what belongs with them and
    what they carry."""
    return f"tech:{user_id}"


@dataclass(frozen=True)
class Global:
    """Reference data every node reads."""


@dataclass(frozen=True)
class ByOutlet:
    """The row's own outlet column names its bucket (no outlet: hub only)."""
    column: str = "outlet_id"


@dataclass(frozen=True)
class ByParent:
    """The row belongs where its parent row belongs (order_events -> service_orders)."""
    table: str
    column: str


@dataclass(frozen=True)
class ByReferrers:
    """The row travels wherever the rows that name it travel: a customer reaches exactly
    the outlets that hold an order of theirs. `table` is placed ByOutlet; `column` names
    this row."""
    table: str
    column: str


@dataclass(frozen=True)
class Submittable:
    """A draft the outlet edits freely until it sets status draft -> submitted; after that
    status is the hub's and the row (and its lines) are frozen."""
    column: str = "status"
    draft: str = "draft"
    submitted: str = "submitted"
    # A hub column that keeps the hash the submission is frozen at (HubStore.content_hash).
    frozen_hash: str | None = None


@dataclass(frozen=True)
class TableSpec:
    name: str
    owner: str
    kind: str
    columns: Mapping[str, str]
    bucket: object
    hub_fields: frozenset[str] = frozenset()
    set_once: frozenset[str] = frozenset()
    submit: Submittable | None = None
    frozen_with: str | None = None  # parent table whose submission freezes this one
    # Hub-set values when an outlet creates the row (an order phoned in enters accepted).
    initial: Mapping[str, object] = field(default_factory=dict)
    # A ledger row that moves its parent: (parent column to set, own column to read).
    sets_parent: tuple[str, str] | None = None
    # Rows referenced by this one that travel with it into a bucket: (column, table).
    carries: tuple[tuple[str, str], ...] = ()
    # A set-once column of numbers nodes mint offline (shared/numbering.py): the hub keeps
    # it unique, and a node's counter moves past every number of its own it pulls.
    minted: str | None = None
    indexes: tuple[tuple[str, ...], ...] = ()
    policy: TablePolicy = TablePolicy()
    # A column naming a technician (users.id) whose devices also receive the row, in the
    # bucket tech_bucket(<that id>), besides the row's own bucket (orders: who works them).
    technician: str | None = None

    @property
    def is_record(self) -> bool:
        return self.kind == RECORD

    def hub_authority(self, column: str) -> bool:
        """Fields only the hub decides (in its chain's order): the hub's tables, hub
        fields, and a submittable's status (the outlet only moves it draft -> submitted)."""
        return (self.owner == HUB or column in self.hub_fields
                or (self.submit is not None and column == self.submit.column))

    @property
    def parent(self) -> ByParent | None:
        return self.bucket if isinstance(self.bucket, ByParent) else None


def _spec(name, owner, kind, bucket, columns, **kw) -> TableSpec:
    return TableSpec(name=name, owner=owner, kind=kind, bucket=bucket,
                     columns={"id": TEXT, **columns}, **kw)


SUBMIT = Submittable()

TABLES: dict[str, TableSpec] = {s.name: s for s in [
    # ---- reference data, owned by the hub ----
    _spec("outlets", HUB, RECORD, Global(), {
        "code": TEXT, "name": TEXT, "region": TEXT, "city": TEXT, "address": TEXT,
        "phone": TEXT, "coverage": JSON, "qualifications": JSON, "capacity": INT,
        "active": BOOL, "personal_data_days": INT}),  # shared/retention.py
    _spec("users", HUB, RECORD, ByOutlet(), {
        "username": TEXT, "display_name": TEXT, "role": TEXT, "outlet_id": TEXT,
        "phone": TEXT, "password_hash": TEXT, "pin_hash": TEXT, "active": BOOL},
        # A technician's own row reaches their devices (to log in offline); no one else's
        # password or PIN hash is on a device.
        technician="id", indexes=(("outlet_id",), ("username",))),
    _spec("product_models", HUB, RECORD, Global(), {
        "code": TEXT, "name": TEXT, "category": TEXT, "warranty_months": INT,
        "active": BOOL}),
    _spec("parts", HUB, RECORD, Global(), {
        "sku": TEXT, "name": TEXT, "category": TEXT, "unit_price": INT,
        "safety_stock": INT, "models": JSON, "active": BOOL}),
    _spec("fee_rules", HUB, RECORD, Global(), {
        "type": TEXT, "category": TEXT, "visit_fee": INT, "labour_fee": INT,
        "unsatisfied_deduction_pct": INT, "repeat_repair_days": INT,
        "repeat_repair_deduction_pct": INT, "active": BOOL}),
    _spec("sla_policies", HUB, RECORD, Global(), {
        "type": TEXT, "priority": TEXT, "accept_within_min": INT,
        "on_site_within_min": INT, "complete_within_min": INT, "active": BOOL}),
    _spec("survey_templates", HUB, RECORD, Global(), {
        "type": TEXT, "name": TEXT, "questions": JSON, "active": BOOL}),
    _spec("kb_articles", HUB, RECORD, Global(), {
        "title": TEXT, "category": TEXT, "body": TEXT, "tags": JSON,
        "fault_codes": JSON, "models": JSON, "audience": JSON, "updated_at": INT,
        "active": BOOL}),
    # Words a technician types for the same thing (滴水 ≈ 漏水, 制冷差 ≈ 不制冷), one group a
    # row, kept by HQ's knowledge admin (hub migration 16 / node 12); the nodes' search finds
    # any word of a group by every other (shared/search.py).
    _spec("kb_synonyms", HUB, RECORD, Global(), {
        "terms": JSON, "active": BOOL, "updated_at": INT}),
    # Master data (hub migration 13 / node 10): product categories, and the fault categories and
    # codes of each product category that intake picks from (hub/services/master_data.py).
    _spec("product_categories", HUB, RECORD, Global(), {
        "code": TEXT, "name": TEXT, "name_en": TEXT, "warranty_months": INT, "active": BOOL},
        indexes=(("code",),)),
    _spec("fault_categories", HUB, RECORD, Global(), {
        "category": TEXT, "code": TEXT, "name": TEXT, "name_en": TEXT, "position": INT,
        "active": BOOL},
        indexes=(("category",),)),
    _spec("fault_codes", HUB, RECORD, Global(), {
        "fault_category_id": TEXT, "category": TEXT, "code": TEXT, "name": TEXT, "name_en": TEXT,
        "cause": TEXT, "active": BOOL},
        indexes=(("fault_category_id",), ("category", "code"))),
    # `merged_into` (hub 13 / node 10): a duplicate merged into another customer keeps its id
    # (outlets' orders name it) and points at the customer it became.
    _spec("customers", HUB, RECORD, ByReferrers("service_orders", "customer_id"), {
        "name": TEXT, "phone": TEXT, "address": TEXT, "city": TEXT,
        "member_level": TEXT, "created_at": INT, "merged_into": TEXT},
        indexes=(("phone",),)),
    # ---- the outlets' work ----
    _spec("service_orders", OUTLET, RECORD, ByOutlet(), {
        "number": TEXT, "outlet_id": TEXT, "customer_id": TEXT, "type": TEXT,
        "product_model_id": TEXT, "serial_no": TEXT, "purchase_date": TEXT,
        "fault_description": TEXT, "fault_code": TEXT, "priority": TEXT, "status": TEXT,
        "technician_id": TEXT, "appointment_at": INT, "notes": TEXT, "resolution": TEXT,
        "contact_name": TEXT, "contact_phone": TEXT, "address": TEXT, "source": TEXT,
        "created_at": INT, "sla_accept_due": INT, "sla_on_site_due": INT,
        "sla_complete_due": INT, "closed_at": INT, "closed_reason": TEXT,
        "callback_result": TEXT, "callback_score": INT},
        hub_fields=frozenset({"status", "sla_accept_due", "sla_on_site_due",
                              "sla_complete_due", "closed_at", "closed_reason",
                              "callback_result", "callback_score"}),
        set_once=frozenset({"outlet_id", "number", "created_at", "source"}),
        initial={"status": "accepted"}, carries=(("customer_id", "customers"),),
        minted="number", policy=OrderStates(), technician="technician_id",
        indexes=(("outlet_id", "status"), ("number",), ("customer_id",),
                 ("technician_id",))),
    _spec("order_events", OUTLET, LEDGER, ByParent("service_orders", "order_id"), {
        "order_id": TEXT, "to_status": TEXT, "reason": TEXT, "at": INT,
        "actor_id": TEXT},
        sets_parent=("status", "to_status"), indexes=(("order_id",),)),
    _spec("order_parts", OUTLET, LEDGER, ByParent("service_orders", "order_id"), {
        "order_id": TEXT, "part_id": TEXT, "qty": INT, "old_serial": TEXT,
        "new_serial": TEXT, "in_warranty": BOOL, "at": INT},
        indexes=(("order_id",),)),
    # `holder`: the technician whose bag the move is in (NULL: the outlet's store); their
    # devices receive their bag's moves (shared/stock.py says how parts move between places).
    _spec("stock_moves", OUTLET, LEDGER, ByOutlet(), {
        "outlet_id": TEXT, "part_id": TEXT, "qty": INT, "kind": TEXT, "ref": TEXT,
        "note": TEXT, "at": INT, "holder": TEXT},
        policy=StockMoves(), technician="holder",
        indexes=(("outlet_id", "part_id"), ("outlet_id", "holder", "part_id"))),
    _spec("parts_requests", OUTLET, RECORD, ByOutlet(), {
        "number": TEXT, "outlet_id": TEXT, "status": TEXT, "note": TEXT, "total": INT,
        "submitted_at": INT, "decided_at": INT},
        hub_fields=frozenset({"decided_at"}), set_once=frozenset({"outlet_id", "number"}),
        submit=SUBMIT, minted="number", indexes=(("outlet_id", "status"),)),
    _spec("parts_request_lines", OUTLET, RECORD, ByParent("parts_requests", "request_id"), {
        "request_id": TEXT, "part_id": TEXT, "qty": INT, "suggested_qty": INT,
        "approved_qty": INT},
        hub_fields=frozenset({"approved_qty"}), set_once=frozenset({"request_id"}),
        frozen_with="parts_requests", indexes=(("request_id",),)),
    # A count with a `holder` is a bag count: the technician's bag counted at the outlet,
    # its variance recorded (never posted, never sent for HQ approval); the technician's
    # devices receive it. Without a holder it is the store's stocktake.
    _spec("stock_counts", OUTLET, RECORD, ByOutlet(), {
        "outlet_id": TEXT, "status": TEXT, "blind": BOOL, "count_hlc": INT,
        "started_at": INT, "submitted_at": INT, "note": TEXT, "holder": TEXT, "scope": JSON},
        # `scope` (hub migration 10 / node 7): a partial count's kind, value and parts
        # (shared/stock.py CountScope); none for a count of the whole store.
        set_once=frozenset({"outlet_id", "count_hlc", "holder", "scope"}), submit=SUBMIT, technician="holder",
        indexes=(("outlet_id", "status"),)),
    _spec("stock_count_lines", OUTLET, RECORD, ByParent("stock_counts", "count_id"), {
        "count_id": TEXT, "part_id": TEXT, "counted": INT, "expected": INT,
        "variance": INT},
        set_once=frozenset({"count_id"}), frozen_with="stock_counts",
        indexes=(("count_id",),)),
    # Where a part sits in one outlet's store (its shelf or bin, "A-03"), kept by the outlet
    # (node/services/shelves.py) so that a stocktake can count one shelf; one row per
    # (outlet, part), its id derived from both, so two devices set the same row. Hub
    # migration 19 / node 13.
    _spec("part_shelves", OUTLET, RECORD, ByOutlet(), {
        "outlet_id": TEXT, "part_id": TEXT, "shelf": TEXT},
        set_once=frozenset({"outlet_id", "part_id"}), indexes=(("outlet_id", "shelf"),)),
    # What an outlet found short, damaged or extra receiving a shipment (node/services/
    # receiving.py), one row per parts request (its id derived from the request: a repeated
    # or late sync cannot post it twice); it arrives submitted and HQ settles it.
    _spec("receipt_discrepancies", OUTLET, RECORD, ByOutlet(), {
        "outlet_id": TEXT, "request_id": TEXT, "lines": JSON, "note": TEXT, "reported_at": INT,
        "status": TEXT, "settled_at": INT},
        hub_fields=frozenset({"status", "settled_at"}),
        set_once=frozenset({"outlet_id", "request_id", "lines", "reported_at"}),
        initial={"status": "submitted"}, indexes=(("outlet_id",),)),
    _spec("settlements", OUTLET, RECORD, ByOutlet(), {
        "outlet_id": TEXT, "period": TEXT, "status": TEXT, "total": INT,
        "submitted_at": INT, "content_hash": TEXT, "comment": TEXT},
        hub_fields=frozenset({"content_hash", "comment"}),
        set_once=frozenset({"outlet_id"}), submit=Submittable(frozen_hash="content_hash"),
        indexes=(("outlet_id", "period"),)),
    _spec("settlement_lines", OUTLET, RECORD, ByParent("settlements", "settlement_id"), {
        "settlement_id": TEXT, "order_id": TEXT, "parts_fee": INT, "visit_fee": INT,
        "labour_fee": INT, "deduction": INT, "reason": TEXT, "adjustment": INT,
        "adjustment_reason": TEXT},
        set_once=frozenset({"settlement_id"}), frozen_with="settlements",
        indexes=(("settlement_id",),)),
    _spec("attachments", OUTLET, LEDGER, ByParent("service_orders", "order_id"), {
        "order_id": TEXT, "kind": TEXT, "sha256": TEXT, "size": INT, "mime": TEXT,
        "at": INT},
        indexes=(("order_id",), ("sha256",))),
    # who revealed a customer's phone on a device (shared/audit.py): HQ's audit, no number
    _spec("order_audit", OUTLET, LEDGER, ByParent("service_orders", "order_id"), {
        "order_id": TEXT, "action": TEXT, "actor_id": TEXT, "at": INT},
        policy=OrderAudit(), indexes=(("order_id",),)),
    # ---- the hub's word to the outlets ----
    _spec("approvals", HUB, LEDGER, ByOutlet(), {
        "outlet_id": TEXT, "subject_table": TEXT, "subject_id": TEXT, "decision": TEXT,
        "level": INT, "comment": TEXT, "content_hash": TEXT, "approver_id": TEXT,
        "at": INT},
        indexes=(("subject_id",),)),
    _spec("notices", HUB, LEDGER, ByOutlet(), {
        "outlet_id": TEXT, "kind": TEXT, "code": TEXT, "message": TEXT, "detail": JSON,
        "table_name": TEXT, "row_id": TEXT, "origin": TEXT, "seq": INT,
        "op_index": INT, "row_exists": BOOL, "at": INT, "technician_id": TEXT},
        # `technician_id` (node and hub migration 4 / node 3): the hub sets it when the notice
        # concerns a technician's work (a refusal of their device's op, an SLA warning on
        # their order), so that it reaches their devices too.
        policy=Notices(), technician="technician_id", indexes=(("outlet_id",),)),
]}

def spec(table: str) -> TableSpec | None:
    return TABLES.get(table)


def check_value(kind: str, value) -> bool:
    """Does `value` fit a column of `kind`? None fits every column; floats fit none."""
    if value is None:
        return True
    if kind == TEXT:
        return isinstance(value, str)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == BOOL:
        return isinstance(value, bool)
    return isinstance(value, (str, int, list, dict, bool))  # JSON; floats caught earlier
