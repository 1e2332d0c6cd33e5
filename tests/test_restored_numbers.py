"""A node put back from an old backup counts its order numbers again from the backup's
counter until its first sync, and mints numbers HQ already holds (found by the long chaos
run: 47 duplicated order numbers and 29 parts request numbers in 20 minutes). HQ keeps
every such order and gives the later one a suffixed number; every replica shows it."""
import shutil

from shared.stock import on_hand
from sync.node_store import NodeStore
from fieldsync.testing.world import World, uid


def phoned_in(node, clerk, outlet) -> tuple[str, str]:
    oid = uid()
    with node.store.tx():
        number = node.store.mint_number()
        node.store.write(clerk, [{"op": "put", "table": "service_orders", "id": oid, "fields": {
            "number": number, "outlet_id": outlet, "type": "repair", "source": "outlet", "contact_name": "王先生"}}])
    return oid, number


def test_numbers_minted_again_after_a_restore_are_made_unique_by_hq(tmp_path):
    w = World(tmp_path)
    outlet, clerk = w.outlets[0], w.user(w.outlets[0])
    node = w.node(outlet)
    other = w.node(outlet)
    node.sync()
    node.store.close()
    shutil.copy(node.path, tmp_path / "backup.db")  # last night's backup
    node.store = NodeStore(node.path)
    first, number = phoned_in(node, clerk, outlet)
    node.sync()
    node.store.close()
    shutil.copy(tmp_path / "backup.db", node.path)  # the disk is replaced by the backup
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"{node.path.name}{suffix}").unlink(missing_ok=True)
    node.store = NodeStore(node.path)
    second, again = phoned_in(node, clerk, outlet)
    assert again == number  # the counter went back with the backup
    r = node.sync()
    assert r.new_epoch and r.rejected == []
    node.sync()
    other.sync()
    numbers = {oid: w.hub_row("service_orders", oid)["number"] for oid in (first, second)}
    assert numbers == {first: number, second: f"{number}-R2"}
    for n in (node, other):
        got = dict(n.store.conn.execute("SELECT id, number FROM service_orders WHERE id IN (?, ?)", (first, second)))
        assert got == numbers
    _, fresh = phoned_in(node, clerk, outlet)
    assert fresh not in numbers.values()  # the pulled rows moved the counter past them
    w.close()


def test_a_ledger_row_made_again_after_a_restore_yields_to_the_one_hq_holds(tmp_path):
    """Found by the chaos run: a node restored from a backup made before it received a
    shipment received it again (the same derived move ids, another time). HQ refused the
    second version (conflict) and sent back the first, which this node itself had written
    in its earlier life; the node took it for its own echo and kept the refused version."""
    w = World(tmp_path)
    outlet, clerk = w.outlets[0], w.user(w.outlets[0])
    node = w.node(outlet)
    node.sync()
    node.store.close()
    shutil.copy(node.path, tmp_path / "backup.db")
    node.store = NodeStore(node.path)
    move = uid()

    def receipt(at):
        node.store.write(clerk, [{"op": "add", "table": "stock_moves", "id": move, "fields": {
            "outlet_id": outlet, "part_id": "P-1001", "qty": 2, "kind": "receipt", "ref": "PR-1", "at": at}}])

    receipt(1000)
    node.sync()
    node.store.close()
    shutil.copy(tmp_path / "backup.db", node.path)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"{node.path.name}{suffix}").unlink(missing_ok=True)
    node.store = NodeStore(node.path)
    receipt(2000)
    r = node.sync()
    assert [x["code"] for x in r.rejected] == ["conflict"]
    node.sync()
    mine = node.store.conn.execute("SELECT at FROM stock_moves WHERE id = ?", (move,)).fetchone()[0]
    assert mine == w.hub_row("stock_moves", move)["at"] == 1000
    assert on_hand(node.store, "P-1001") == 2
    w.close()
