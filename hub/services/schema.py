"""Hub-only tables and indexes beside the replicated ones. Each service module that needs
tables declares them in a module-level `DDL` tuple; `create` runs them all when a brand-new
hub.db is made (hub/migrations.py), and a later change to one is a migration there.
Nothing here replicates to the nodes."""
from shared.audit import HQ_PREFIX

from hub.services import (approve_parts, callbacks, complaints, customers, dispatch, hq_settings, intake, kb_answers,
                          kb_review, monitor, order_actions, order_query, rollups)

# Service modules whose DDL is part of the hub's schema (each adds its own).
# rollups after complaints and intake: its triggers watch hq_complaints and hq_requests
MODULES = (complaints, intake, rollups, approve_parts, dispatch, kb_answers, kb_review, callbacks, monitor,
           order_actions, customers, hq_settings, order_query)  # order_query last: its indexes are on others' tables

DDL = (
    """CREATE TABLE IF NOT EXISTS hq_audit (id TEXT PRIMARY KEY, at INTEGER NOT NULL,
        user_id TEXT, action TEXT NOT NULL, subject TEXT, detail TEXT)""",
    "CREATE INDEX IF NOT EXISTS ix_hq_audit_action ON hq_audit (action, detail, at)",
)
# What outlets record for HQ's audit (the order_audit ledger, shared/audit.py) lands in
# hq_audit as the hub accepts it, in the same transaction: who, when, which order (its
# number); never a phone number — the row carries none.
OUTLET_AUDIT_TRIGGER = f"""CREATE TRIGGER IF NOT EXISTS tr_hq_audit_from_outlet AFTER INSERT ON order_audit BEGIN
    INSERT OR IGNORE INTO hq_audit (id, at, user_id, action, subject, detail)
    VALUES ('outlet:' || NEW.id, NEW.at, NEW.actor_id, '{HQ_PREFIX}' || NEW.action, NEW.order_id,
            (SELECT number FROM service_orders WHERE id = NEW.order_id)); END"""


def statements() -> list[str]:
    """Every statement of the services' schema, in order (each IF NOT EXISTS)."""
    found = list(DDL)
    for module in MODULES:
        found += module.DDL
    found.append(OUTLET_AUDIT_TRIGGER)
    return found


def create(conn) -> None:
    for sql in statements():
        conn.execute(sql)
