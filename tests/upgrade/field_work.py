"""Work in the field, made with an earlier release's code (tests/upgrade/releases.py runs this
with PYTHONPATH=<that release's tree>): a hub and two nodes of one outlet, and on the nodes
what an upgrade must not lose — changes not pushed yet, a pulled value deferred behind one
of them, an op HQ refused, an attachment waiting for upload. It uses only what every
release has (the stores, the hub handlers, one sync round); `work.json` tells the test
what was made. Usage: field_work.py DIR"""
import hashlib
import json
import sys
import uuid
from pathlib import Path

from hub.services import HubServices
from node.services import NodeServices
from sync import hub_handlers
from sync.hlc import now_ms
from sync.hub_store import HubStore
from sync.keys import SigningKey
from sync.node_store import NodeStore
from sync.node_sync import LocalTransport, RoundResult, pull_all, sync_round

OUTLET = "outlet-1"


def uid() -> str:
    return str(uuid.uuid4())


def enroll(hub: HubStore, root: Path, name: str) -> tuple[NodeStore, SigningKey, str]:
    key = SigningKey.generate()
    key.save(root / f"{name}.key")
    store = NodeStore(root / f"{name}.db")
    enrollment = hub_handlers.enroll(hub, {"token": hub.create_enroll_token(OUTLET), "public_key": key.public_b64,
                                           "name": name, "app_version": "old", "schema": 1})
    store.bind(enrollment)
    return store, key, enrollment["node_id"]


def main(root: Path) -> None:
    hub_key = SigningKey.generate()
    hub_key.save(root / "hub.key")
    hub = HubStore(root / "hub.db", key=hub_key)
    HubServices(hub)  # HQ runs its services: their tables are part of the file
    hub.write([{"op": "put", "table": "outlets", "id": OUTLET,
                "fields": {"code": "SH01", "name": "上海1号网点", "active": True}},
               *({"op": "put", "table": "users", "id": role, "fields": {
                   "username": role, "role": role, "outlet_id": OUTLET, "active": True}}
                 for role in ("technician", "clerk")),
               {"op": "put", "table": "parts", "id": "P-1001",
                "fields": {"sku": "P-1001", "name": "压缩机", "category": "AC", "unit_price": 120000}}])
    order = uid()
    hub.write([{"op": "put", "table": "service_orders", "id": order, "fields": {
        "number": "HQ-0001", "outlet_id": OUTLET, "type": "repair", "status": "new", "priority": "normal",
        "created_at": now_ms(), "fault_description": "空调不制冷"}}])
    a, a_key, a_id = enroll(hub, root, "node_a")
    NodeServices(a)  # an outlet PC that was started; node_b was enrolled and never started
    b, b_key, b_id = enroll(hub, root, "node_b")
    for store, key, node_id in ((a, a_key, a_id), (b, b_key, b_id)):
        sync_round(store, LocalTransport(hub, node_id), key)

    # A accepts and HQ hears it; B, not synced since, completes the new order: refused.
    a.write("technician", [{"op": "add", "table": "order_events", "id": uid(),
                            "fields": {"order_id": order, "to_status": "accepted", "at": now_ms()}}])
    sync_round(a, LocalTransport(hub, a_id), a_key)
    refused = uid()
    b.write("technician", [{"op": "add", "table": "order_events", "id": refused,
                            "fields": {"order_id": order, "to_status": "completed", "at": now_ms()}}])
    assert sync_round(b, LocalTransport(hub, b_id), b_key).rejected
    assert b.refused()

    # Offline work HQ has not seen: a part used, a new order, a note, a photo.
    move, new_order, photo = uid(), uid(), b"\x89PNG field photo"
    sha = hashlib.sha256(photo).hexdigest()
    a.write("technician", [{"op": "add", "table": "stock_moves", "id": move, "fields": {
        "outlet_id": OUTLET, "part_id": "P-1001", "qty": -1, "kind": "consume", "ref": order, "at": now_ms()}}])
    a.write("clerk", [{"op": "put", "table": "service_orders", "id": new_order, "fields": {
        "number": a.mint_number(), "outlet_id": OUTLET, "type": "install", "source": "outlet",
        "priority": "normal", "created_at": now_ms(), "fault_description": "新机安装"}}])
    a.write("technician", [{"op": "put", "table": "service_orders", "id": order,
                            "fields": {"notes": "outlet: compressor swapped"}}])
    blob = root / "blobs" / sha
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(photo)
    a.queue_blob(sha, str(blob), len(photo), now_ms())
    a.write("technician", [{"op": "add", "table": "attachments", "id": uid(), "fields": {
        "order_id": order, "kind": "photo", "sha256": sha, "size": len(photo), "mime": "image/png", "at": now_ms()}}])
    # HQ writes the same note meanwhile; A pulls without pushing: HQ's value waits in _deferred.
    hub.write([{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": "HQ: customer called"}}])
    pull_all(a, LocalTransport(hub, a_id), RoundResult(), hub_handlers.hello(hub, a_id))
    b.write("technician", [{"op": "add", "table": "stock_moves", "id": uid(), "fields": {
        "outlet_id": OUTLET, "part_id": "P-1001", "qty": -1, "kind": "consume", "ref": order, "at": now_ms()}}])

    work = {"hub": {"db": "hub.db", "key": "hub.key"},
            "nodes": {"node_a": a_id, "node_b": b_id},
            "order": order, "new_order": new_order, "move": move, "refused": refused, "photo": sha}
    for store in (a, b):
        store.close()
    hub.close()
    (root / "work.json").write_text(json.dumps(work, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
