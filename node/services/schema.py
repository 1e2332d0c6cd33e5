"""Node-local tables, indexes and triggers the services need beside the replicated ones.
None of this replicates: `_audit` keeps what only this device needs to remember (logins and
login failures; phone reveals of store version 2 and before — since 3 they are the replicated
`order_audit` ledger) and who read which of HQ's notices (`_notice_reads`, node/services/notices.py),
the indexes speed up the outlet's lists, and the knowledge-base
search index (`_kb_*`) is rebuilt from kb_articles, which the triggers mark as changed
whichever way a row arrives (pull or local). `create` is part of a brand-new node.db
(node/migrations.py); a later change here is a migration there."""
from shared import search

from node.services.notices import READS as NOTICE_READS

# The search index's layout and tokenizer; a change rebuilds the index on the next start.
KB_INDEX_VERSION = f"{search.VERSION}.4"  # .4: keys hold model codes and fault names

INDEXES = (
    # The order lists' index: newest first, and covering every column a list filters on,
    # so a count, a filter or page 100 reads the index alone, never the (wide) order rows.
    ("ix_node_orders_list", "service_orders", "outlet_id, created_at DESC, id DESC, status, source, type, "
                                              "priority, technician_id, appointment_at"),
    ("ix_node_orders_appointment", "service_orders", "outlet_id, appointment_at"),
    ("ix_node_events_status_at", "order_events", "to_status, order_id, at"),
    ("ix_node_moves_kind", "stock_moves", "outlet_id, kind, ref"),
    ("ix_node_order_parts_part", "order_parts", "part_id"),
    ("ix_node_settlements_period", "settlements", "outlet_id, period, status"),
    ("ix_node_approvals_subject", "approvals", "subject_table, subject_id"),
)
KB_FTS = ("CREATE VIRTUAL TABLE IF NOT EXISTS _kb_fts USING fts5(title, body, keys, category UNINDEXED, "
          "audience UNINDEXED, tokenize = 'unicode61 remove_diacritics 0')")
KB_MAP = "CREATE TABLE IF NOT EXISTS _kb_map (article_id TEXT PRIMARY KEY, fts_rowid INTEGER NOT NULL)"


# The index holds an article's model codes (for a model named by its id) and its fault
# codes' names: a model whose code changes, or a fault code named or renamed, re-indexes the
# articles that name it (node migration 12).
KB_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS _kb_dirty_model AFTER UPDATE OF code ON product_models BEGIN "
    "INSERT OR IGNORE INTO _kb_dirty (article_id) SELECT a.id FROM kb_articles a, "
    "json_each(CASE WHEN json_valid(a.models) THEN a.models ELSE '[]' END) j WHERE j.value = new.id; END",
    *(f"CREATE TRIGGER IF NOT EXISTS _kb_dirty_fault_{name} AFTER {event} ON fault_codes BEGIN "
      "INSERT OR IGNORE INTO _kb_dirty (article_id) SELECT a.id FROM kb_articles a, "
      "json_each(CASE WHEN json_valid(a.fault_codes) THEN a.fault_codes ELSE '[]' END) j "
      "WHERE upper(j.value) = upper(new.code); END"
      for name, event in (("insert", "INSERT"), ("update", "UPDATE OF code, name, name_en"))),
)


def create(c) -> None:
    c.execute("""CREATE TABLE IF NOT EXISTS _audit (id INTEGER PRIMARY KEY, at INTEGER NOT NULL,
        user_id TEXT, action TEXT NOT NULL, table_name TEXT, row_id TEXT, detail TEXT)""")
    c.execute("CREATE INDEX IF NOT EXISTS ix_audit_action ON _audit (action, detail, at)")
    c.execute(NOTICE_READS)
    for name, table, cols in INDEXES:
        c.execute(f"CREATE INDEX IF NOT EXISTS [{name}] ON [{table}] ({cols})")
    c.execute(KB_FTS)
    c.execute(KB_MAP)
    c.execute("CREATE TABLE IF NOT EXISTS _kb_dirty (article_id TEXT PRIMARY KEY)")
    for event in ("INSERT", "UPDATE"):
        c.execute(f"CREATE TRIGGER IF NOT EXISTS _kb_dirty_{event.lower()} AFTER {event} ON kb_articles "
                  "BEGIN INSERT OR IGNORE INTO _kb_dirty (article_id) VALUES (new.id); END")
    for sql in KB_TRIGGERS:
        c.execute(sql)


def ensure_kb_index(store) -> None:
    """The search index is derived data: on the first start, or when its tokenizer or layout
    changed, it is emptied and every article is indexed again by the next search."""
    with store.tx() as c:
        if str(store.meta_get("kb_index_version")) == KB_INDEX_VERSION:
            return
        c.execute("DROP TABLE IF EXISTS _kb_fts")
        c.execute("DROP TABLE IF EXISTS _kb_map")
        c.execute(KB_FTS)
        c.execute(KB_MAP)
        c.execute("INSERT OR IGNORE INTO _kb_dirty (article_id) SELECT id FROM kb_articles")
        store.meta_set("kb_index_version", KB_INDEX_VERSION)
