"""The schema of the hub's file (hub.db): what a brand-new file is made of, and each numbered
migration after release 1 (sync/migrations.py says how they run). A change to a replicated
table (shared/tables.py), to the hub's bookkeeping (sync/hub_store.py) or to a service's
`DDL` (hub/services/schema.py lists them) comes with a migration here."""
from hub.services import schema as services_schema
from sync.hub_store import add_device_columns, create_own_tables
from sync.migrations import Migration, StoreSchema, register
from sync.schema import create_declared_index, create_replicated_tables


def create(conn) -> None:
    create_replicated_tables(conn)
    create_own_tables(conn)
    services_schema.create(conn)


MIGRATIONS: tuple[Migration, ...] = (  # version 2 onwards, in order
    Migration(2, "attachments indexed by sha256 (a blob is served only to the outlets it belongs to)",
              lambda conn: create_declared_index(conn, "attachments", ("sha256",))),
    Migration(3, "device nodes: a node's kind and technician, its reported pending changes and "
                 "clock drift; enrollment codes for one technician", add_device_columns),
)
HUB_SCHEMA = StoreSchema("hub", create, MIGRATIONS)
register(HUB_SCHEMA)
