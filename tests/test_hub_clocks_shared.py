"""Several hub processes on one PostgreSQL database never give two writes the same clock:
each write transaction takes the database's write lock, catches up with the clock the last
writer persisted (`Store.after_begin`) and persists its own (`HubStore.finish`). Two stores
on one database stand for two processes here (each its own connection and its own clock),
writing at once from two threads with their wall clocks frozen at the same instant — the
case where two independent clocks would hand out the very same values."""
import threading

from sync.hlc import HLC
from sync.pg_hub_store import open_hub_store

FROZEN = 1_780_000_000_000


def test_two_hub_processes_never_give_two_writes_the_same_clock(postgres):
    url = postgres.create_database()
    first = open_hub_store(url, clock=HLC(wall=lambda: FROZEN))
    second = open_hub_store(url, clock=HLC(wall=lambda: FROZEN))
    hubs = (first, second)
    try:
        start = threading.Barrier(2)

        def work(n: int) -> None:
            start.wait()
            for i in range(60):
                hubs[n].write([{"op": "add", "table": "stock_moves", "id": f"move-{n}-{i}", "fields": {
                    "outlet_id": "outlet-1", "part_id": "P-1", "qty": 1, "kind": "receipt"}}])
        threads = [threading.Thread(target=work, args=(n,)) for n in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        clocks = [r[0] for r in first.conn.execute("SELECT _hlc FROM stock_moves")]
        assert len(clocks) == 120
        assert len(set(clocks)) == 120, "two writes got the same clock"
        # the relayed changes carry the same clocks, one each
        assert first.conn.execute("SELECT COUNT(*) FROM bucket_changes").fetchone()[0] >= 120
    finally:
        for hub in hubs:
            hub.close()
        from fieldsync.testing.postgres import database_name
        postgres.drop_database(database_name(url))
