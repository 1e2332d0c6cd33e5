"""The schema of a node's file (node.db): what a brand-new file is made of, and each numbered
migration after release 1 (sync/migrations.py says how they run). A change to a replicated
table (shared/tables.py), to the node's bookkeeping (sync/node_store.py) or to its services'
tables and indexes (node/services/schema.py) comes with a migration here."""
from node.services import schema as services_schema
from sync.migrations import Migration, StoreSchema, register
from sync.node_store import create_own_tables
from sync.schema import create_declared_index, create_declared_table, create_replicated_tables


def create(conn) -> None:
    create_replicated_tables(conn)
    create_own_tables(conn)
    services_schema.create(conn)


MIGRATIONS: tuple[Migration, ...] = (  # version 2 onwards, in order
    Migration(2, "attachments indexed by sha256 (a blob is served only to the outlets it belongs to)",
              lambda conn: create_declared_index(conn, "attachments", ("sha256",))),
    Migration(3, "order_audit: phone reveals recorded for HQ's audit (replicated)",
              lambda conn: create_declared_table(conn, "order_audit")),
)
NODE_SCHEMA = StoreSchema("node", create, MIGRATIONS)
register(NODE_SCHEMA)
