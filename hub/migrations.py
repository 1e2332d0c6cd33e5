"""The schema of the hub's file (hub.db): what a brand-new file is made of, and each numbered
migration after release 1 (sync/migrations.py says how they run). A change to a replicated
table (shared/tables.py), to the hub's bookkeeping (sync/hub_store.py) or to a service's
`DDL` (hub/services/schema.py lists them) comes with a migration here.
PostgreSQL (a hub made with `hub init --db postgresql://…`): a new database is created at
the newest version from the same `create`, and `_schema_version` holds its number. No
PostgreSQL hub is older than POSTGRES_FROM, so the migrations up to it are SQLite history.
**Every migration after POSTGRES_FROM runs on both stores**, through the same connection
API: write it in SQLite's SQL (sync/pg_sql.py translates each statement — ALTER TABLE ADD
COLUMN, CREATE TABLE/INDEX, triggers, INSERT OR IGNORE …), use the helpers of sync/schema.py
(`add_declared_column` only adds the column on PostgreSQL: no table rebuild; no
sqlite-utils `transform` or PRAGMA of your own without an `is_postgres(conn)` branch), and
run your hub tests on both stores (the `hub`/`hub_db` fixtures do). Do not raise
POSTGRES_FROM once a PostgreSQL hub may exist at the old number."""
from hub.services import complaints, customers, hq_settings, intake, kb_review, order_actions, order_query, rollups
from hub.services import schema as services_schema
from sync.hub_store import add_device_columns, add_notice_technician, create_moves, create_own_tables
from sync import recovery
from sync.migrations import Migration, StoreSchema, register
from sync.schema import (add_declared_column, create_declared_index, create_declared_table,
                         create_replicated_tables, is_postgres)


def create(conn) -> None:
    create_replicated_tables(conn)
    create_own_tables(conn)
    recovery.create_tables(conn)
    services_schema.create(conn)


def _bags(conn) -> None:
    """Migration 4: a stock move or count names the technician whose bag it is (`holder`)."""
    add_declared_column(conn, "stock_moves", "holder")
    add_declared_column(conn, "stock_counts", "holder")
    create_declared_index(conn, "stock_moves", ("outlet_id", "holder", "part_id"))


MIGRATIONS: tuple[Migration, ...] = (  # version 2 onwards, in order
    Migration(2, "attachments indexed by sha256 (a blob is served only to the outlets it belongs to)",
              lambda conn: create_declared_index(conn, "attachments", ("sha256",))),
    Migration(3, "device nodes: a node's kind and technician, its reported pending changes and "
                 "clock drift; enrollment codes for one technician", add_device_columns),
    Migration(4, "notices name the technician they concern (they reach the technician's devices); "
                 "each technician's first device starts from a snapshot of their rows",
              add_notice_technician),
    Migration(5, "a restore's hand-backs: the changes nodes gave back to a hub restored from a backup, "
                 "and every hand-back for HQ's restore report", recovery.create_tables),
    Migration(6, "stock moves and counts name the technician whose bag they are in (holder)", _bags),
    Migration(7, "order_audit: outlets' phone reveals, copied into hq_audit as the hub accepts them",
              lambda conn: _order_audit(conn)),
    Migration(8, "complaints as a workflow: assignee, escalation level and survey answers on hq_complaints; "
                 "hq_complaint_steps (assigned, transferred, escalated, contacts, resolved); "
                 "hq_complaint_deadlines (hours per department and severity)", lambda conn: _complaint_work(conn)),
    Migration(9, "take-back and re-dispatch of an active order: outlet_moves (rows HQ moved from an outlet), "
                 "late_work (the old outlet's later pushes, refused moved_away, kept whole); hq_order_notes",
              lambda conn: _moves(conn)),
    Migration(10, "stock_counts.scope: an outlet's partial (cycle) count's category or most-moved parts",
              lambda conn: add_declared_column(conn, "stock_counts", "scope")),
    Migration(11, "outlets.personal_data_days: how long the outlet's nodes keep customers' personal data "
                 "(replicated; unset = 180 days)",
              lambda conn: _retention(conn)),
    Migration(12, "receipt_discrepancies: what an outlet's shipment brought short, damaged or extra; HQ settles "
                 "them in its approvals inbox", lambda conn: create_declared_table(conn, "receipt_discrepancies")),
    Migration(13, "master data: product categories, fault categories and fault codes (replicated); "
                  "customers.merged_into; HQ's customer groups and the products each customer owns",
               lambda conn: _master_data(conn)),
    Migration(14, "reports by chosen dimensions and period, technicians and agents: roll-up facts gain day, "
                  "technician_id, agent_id and handling time; hq_rollup_tech_month, hq_rollup_agent_month; "
                  "the roll-ups rebuild", lambda conn: _report_dimensions(conn)),
    Migration(15, "ticket query: indexes for finding orders by creation time, outlet, status, technician, model, "
                  "contact phone, agent and customer name, and for the full record's lookups by order",
              lambda conn: _order_query(conn)),
    Migration(16, "kb_synonyms: groups of words the knowledge-base search treats as one (replicated, global)",
              lambda conn: create_declared_table(conn, "kb_synonyms")),
    Migration(17, "hq_rollup_type_week: the report roll-up by outlet × service type × month × ISO week (the "
                  "analysis by week without the per-order facts); the roll-ups rebuild",
              lambda conn: _week_rollup(conn)),
    Migration(18, "hq_kb_drafts: knowledge-base articles written or edited wait for another admin's review "
                  "before they are published (hub only)", lambda conn: [conn.execute(sql) for sql in kb_review.DDL]),
    Migration(19, "part_shelves: where each part sits in an outlet's store (its shelf), kept by the outlet "
                  "(replicated); a stocktake can count one shelf",
              lambda conn: create_declared_table(conn, "part_shelves")),
    Migration(20, "hq_settings: HQ's adjustable settings (callback sampling per type and delay, approval "
                  "amounts per level, stocktake variance limits), edited on the rules screen with an audit line",
              lambda conn: [conn.execute(sql) for sql in hq_settings.DDL]),
)


def _order_query(conn) -> None:
    for sql in order_query.DDL:
        conn.execute(sql)


def _moves(conn) -> None:
    create_moves(conn)
    for sql in order_actions.DDL:
        conn.execute(sql)



def _complaint_work(conn) -> None:
    for name, decl in complaints.WORKFLOW_COLUMNS:
        conn.execute(f"ALTER TABLE hq_complaints ADD COLUMN {name} {decl}")
    for sql in complaints.WORKFLOW_DDL:
        conn.execute(sql)


def _master_data(conn) -> None:
    for table in ("product_categories", "fault_categories", "fault_codes"):
        create_declared_table(conn, table)
    add_declared_column(conn, "customers", "merged_into")
    for sql in customers.DDL:
        conn.execute(sql)


def _report_dimensions(conn) -> None:
    """Runs on both stores. The new fact columns and measures are added (declared as the
    CREATE TABLE of rollups.DDL declares them); the order-update trigger now watches
    technician_id: SQLite needs it dropped first (PostgreSQL's CREATE OR REPLACE TRIGGER
    replaces it); the new tables, index and triggers come from the services' DDL. The roll-ups
    are then rebuilt by the job's next run (the facts lack the new columns' values)."""
    for name, decl in (("day", "INTEGER"), ("technician_id", "TEXT"), ("agent_id", "TEXT")):
        conn.execute(f"ALTER TABLE hq_rollup_facts ADD COLUMN {name} {decl}")
    for table in ("hq_rollup_facts", "hq_rollup_orders_month", "hq_rollup_outlet_month", "hq_rollup_region_month"):
        for name in ("handled", "handle_ms"):
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} INTEGER NOT NULL DEFAULT 0")
    if not is_postgres(conn):
        conn.execute("DROP TRIGGER IF EXISTS tr_hq_rollup_order_upd")
    for sql in (*intake.DDL, *rollups.DDL):
        conn.execute(sql)
    conn.execute("DELETE FROM hq_rollup_meta WHERE key = 'built_at'")


def _week_rollup(conn) -> None:
    """Runs on both stores: the new roll-up table (rollups.DDL, every statement IF NOT
    EXISTS / CREATE OR REPLACE), filled by the rebuild the job does next."""
    for sql in rollups.DDL:
        conn.execute(sql)
    conn.execute("DELETE FROM hq_rollup_meta WHERE key = 'built_at'")


def _order_audit(conn) -> None:
    create_declared_table(conn, "order_audit")
    conn.execute(services_schema.OUTLET_AUDIT_TRIGGER)


def _retention(conn) -> None:
    add_declared_column(conn, "outlets", "personal_data_days")
    # the rebuild dropped the triggers the services keep on outlets (report roll-ups): again
    for sql in services_schema.statements():
        if sql.lstrip().startswith("CREATE TRIGGER") and " ON outlets " in sql:
            conn.execute(sql)


# A PostgreSQL hub is created at the newest version; none is older than this. Migrations up
# to it are SQLite history; every later one runs on both stores (see the module docstring).
POSTGRES_FROM = 13

HUB_SCHEMA = StoreSchema("hub", create, MIGRATIONS, postgres_from=POSTGRES_FROM)
register(HUB_SCHEMA)
