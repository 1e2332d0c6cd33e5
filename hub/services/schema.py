"""Hub-only tables and indexes beside the replicated ones. Each service module that needs
tables declares them in a module-level `DDL` tuple; `create` runs them all when a brand-new
hub.db is made (hub/migrations.py), and a later change to one is a migration there.
Nothing here replicates to the nodes."""
from hub.services import approve_parts, callbacks, complaints, dispatch, intake, kb_answers, monitor, rollups

# Service modules whose DDL is part of the hub's schema (each adds its own).
# rollups after complaints: its triggers watch hq_complaints
MODULES = (complaints, rollups, approve_parts, dispatch, intake, kb_answers, callbacks, monitor)

DDL = (
    """CREATE TABLE IF NOT EXISTS hq_audit (id TEXT PRIMARY KEY, at INTEGER NOT NULL,
        user_id TEXT, action TEXT NOT NULL, subject TEXT, detail TEXT)""",
    "CREATE INDEX IF NOT EXISTS ix_hq_audit_action ON hq_audit (action, detail, at)",
)


def create(conn) -> None:
    statements = list(DDL)
    for module in MODULES:
        statements += module.DDL
    for sql in statements:
        conn.execute(sql)
