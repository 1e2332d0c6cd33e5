"""Hub migration 19 (part_shelves, the outlets' shelves of their parts) on both stores: a
hub of version 18 reopened has the table and its index, and takes an outlet's shelf row
as a brand-new hub does."""
from hub.migrations import HUB_SCHEMA
from sync.keys import SigningKey
from sync.pg_hub_store import open_hub_store
from sync.schema import is_postgres


def test_migration_19_gives_a_version_18_hub_the_part_shelves(hub_db):
    assert HUB_SCHEMA.latest >= 19
    key = SigningKey.generate()
    hub = open_hub_store(hub_db, key=key)
    conn = hub.conn
    pg = is_postgres(conn)
    conn.execute("DROP TABLE part_shelves")  # its index goes with it
    conn.execute("UPDATE _schema_version SET version = 18" if pg else "PRAGMA user_version = 18")
    hub.close()
    hub = open_hub_store(hub_db, key=key)
    try:
        hub.write([{"op": "put", "table": "part_shelves", "id": "s-1", "fields": {
            "outlet_id": "outlet-1", "part_id": "P-2002", "shelf": "A-03"}}])
        rows = hub.conn.execute("SELECT part_id, shelf FROM part_shelves WHERE outlet_id = ? AND shelf = ?",
                                ("outlet-1", "A-03")).fetchall()
        assert [tuple(r) for r in rows] == [("P-2002", "A-03")]
        if pg:
            names = [r[0] for r in hub.conn.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'part_shelves'").fetchall()]
        else:
            names = [r[1] for r in hub.conn.execute("PRAGMA index_list(part_shelves)").fetchall()]
        assert "ix_part_shelves_outlet_id_shelf" in names
    finally:
        hub.close()
