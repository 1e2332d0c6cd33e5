"""The schema of a node's file (node.db): what a brand-new file is made of, and each numbered
migration after release 1 (sync/migrations.py says how they run). A change to a replicated
table (shared/tables.py), to the node's bookkeeping (sync/node_store.py) or to its services'
tables and indexes (node/services/schema.py) comes with a migration here."""
from node.services import schema as services_schema
from node.services.notices import READS as NOTICE_READS
from sync import handback
from sync.migrations import Migration, StoreSchema, register
from sync.node_store import create_own_tables
from sync.schema import (add_declared_column, create_declared_index, create_declared_table,
                         create_replicated_tables)


def create(conn) -> None:
    create_replicated_tables(conn)
    create_own_tables(conn)
    handback.create_tables(conn)
    services_schema.create(conn)


def _bags(conn) -> None:
    """Migration 3: a stock move or count names the technician whose bag it is (`holder`)."""
    add_declared_column(conn, "stock_moves", "holder")
    add_declared_column(conn, "stock_counts", "holder")
    create_declared_index(conn, "stock_moves", ("outlet_id", "holder", "part_id"))
    # The pulled stock counts this file kept without it: its buckets are pulled again.
    conn.execute("DELETE FROM _cursors")


def _retention(conn) -> None:
    """Migration 7: the outlet's retention setting; the global bucket (outlets) pulled again."""
    add_declared_column(conn, "outlets", "personal_data_days")
    conn.execute("DELETE FROM _cursors WHERE bucket = 'global'")


MIGRATIONS: tuple[Migration, ...] = (  # version 2 onwards, in order
    Migration(2, "attachments indexed by sha256 (a blob is served only to the outlets it belongs to)",
              lambda conn: create_declared_index(conn, "attachments", ("sha256",))),
    Migration(3, "notices name the technician they concern (they reach the technician's devices)",
              lambda conn: add_declared_column(conn, "notices", "technician_id")),
    Migration(4, "what the node pulled is kept 30 days (changes, signed manifests, rows by bucket) so that a "
                 "hub restored from a backup takes back its lost changes; every bucket is pulled once more",
              handback.migrate),
    Migration(5, "stock moves and counts name the technician whose bag they are in (holder)", _bags),
    Migration(6, "order_audit: phone reveals recorded for HQ's audit (replicated)",
              lambda conn: create_declared_table(conn, "order_audit")),
    Migration(7, "stock_counts.scope: a partial (cycle) count's category or most-moved parts (replicated)",
              lambda conn: add_declared_column(conn, "stock_counts", "scope")),
    Migration(8, "outlets.personal_data_days (how long personal data of ended orders is kept here); the "
                 "global bucket is pulled again for the values this file ignored", _retention),
    Migration(9, "receipt_discrepancies: what a shipment brought short, damaged or extra, for HQ to settle "
                 "(replicated)", lambda conn: create_declared_table(conn, "receipt_discrepancies")),
    Migration(10, "master data: product categories, fault categories and fault codes; customers.merged_into",
               lambda conn: _master_data(conn)),
    Migration(11, "who read which of HQ's notices on this device (node-local _notice_reads)",
              lambda conn: conn.execute(NOTICE_READS)),
    Migration(12, "kb_synonyms (replicated) and the search index's triggers on models and fault codes; the "
                  "global bucket is pulled again", lambda conn: _kb_words(conn)),
    Migration(13, "part_shelves: where each part sits in the store (its shelf), for counting one shelf "
                  "(replicated)", lambda conn: create_declared_table(conn, "part_shelves")),
)


def _master_data(conn) -> None:
    """Migration 10: master data's tables and `customers.merged_into`; the global bucket is
    pulled again for the master data rows this file had no table for."""
    for table in ("product_categories", "fault_categories", "fault_codes"):
        create_declared_table(conn, table)
    add_declared_column(conn, "customers", "merged_into")
    conn.execute("DELETE FROM _cursors WHERE bucket = 'global'")


def _kb_words(conn) -> None:
    """Migration 12: HQ's synonym groups; the search index follows renamed models and fault
    codes (node/services/schema.py); the global bucket is pulled again for the groups this
    file had no table for."""
    create_declared_table(conn, "kb_synonyms")
    for sql in services_schema.KB_TRIGGERS:
        conn.execute(sql)
    conn.execute("DELETE FROM _cursors WHERE bucket = 'global'")


NODE_SCHEMA = StoreSchema("node", create, MIGRATIONS)
register(NODE_SCHEMA)
