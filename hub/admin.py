"""HQ administration of the network: hub setup, outlets, enrollment codes, nodes,
revocation and fork alerts. The CLI and the admin API are thin over these functions."""
import uuid

from shared.private_files import private_dir
from shared.passwords import generate_password, hash_password
from shared.roles import Role
from shared.tables import TABLES
from sync import merge
from sync.enrollment import encode_code
from sync.hub_store import HubStore
from sync.keys import SigningKey
from hub.home import HubHome
from hub.tls import make_self_signed


def init_hub(home: HubHome, names: list[str] | None = None) -> str:
    """Create the store, the hub key, a self-signed certificate and an admin user.
    Returns the admin's generated password (shown once, stored only as a scrypt hash)."""
    if home.exists():
        raise SystemExit(f"a hub already exists in {home.dir}")
    home.make_private()
    key = SigningKey.generate()
    key.save(home.key)
    make_self_signed(home.cert, home.tls_key, names)
    private_dir(home.blobs)
    hub = HubStore(home.db, key=key)
    password = generate_password()
    hub.write([{"op": "put", "table": "users", "id": "admin", "fields": {
        "username": "admin", "display_name": "系统管理员", "role": Role.ADMIN,
        "password_hash": hash_password(password), "active": True}}])
    hub.close()
    return password


def outlet_by_code(hub: HubStore, code: str) -> dict | None:
    rows = hub.rows("outlets", "code = ?", (code,))
    return rows[0] if rows else None


def add_outlet(hub: HubStore, code: str, name: str, region: str = "", city: str = "",
               outlet_id: str | None = None) -> str:
    if outlet_by_code(hub, code):
        raise ValueError(f"网点编码 {code} 已存在 (outlet code already exists)")
    oid = outlet_id or str(uuid.uuid4())
    hub.write([{"op": "put", "table": "outlets", "id": oid, "fields": {
        "code": code, "name": name, "region": region, "city": city, "active": True}}])
    return oid


def list_outlets(hub: HubStore) -> list[dict]:
    return [dict(merge.load(hub.conn, TABLES["outlets"], r["id"])) for r in hub.rows("outlets", order="code")]


def enroll_code(hub: HubStore, outlet_code: str, url: str, cert_sha256: str | None) -> str:
    outlet = outlet_by_code(hub, outlet_code)
    if outlet is None:
        raise ValueError(f"没有编码为 {outlet_code} 的网点 (no outlet with that code)")
    token = hub.create_enroll_token(outlet["id"])
    return encode_code(url, hub.hub_id, cert_sha256, token)


def list_nodes(hub: HubStore) -> list[dict]:
    return hub.rows("nodes", order="enrolled_at")


def revoke(hub: HubStore, node_id: str) -> None:
    from sync.hlc import now_ms
    with hub.tx() as c:
        if c.execute("UPDATE nodes SET status = 'revoked', revoked_at = ? WHERE node_id = ?",
                     (now_ms(), node_id)).rowcount == 0:
            raise ValueError(f"no node {node_id}")


def fork_alerts(hub: HubStore, open_only: bool = True) -> list[dict]:
    return hub.rows("fork_alerts", "resolved = 0" if open_only else "", order="at DESC")


def resolve_fork(hub: HubStore, alert_id: int) -> None:
    """Mark a fork alert handled (HQ looked at the restored node and its new epoch)."""
    with hub.tx() as c:
        if c.execute("UPDATE fork_alerts SET resolved = 1 WHERE id = ? AND resolved = 0",
                     (alert_id,)).rowcount == 0:
            raise ValueError(f"no open fork alert {alert_id}")
