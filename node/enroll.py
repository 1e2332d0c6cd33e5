"""Joining the network: decode the enrollment code, pin the hub's certificate, make the
node key, enroll, and take the first pull of the outlet's buckets."""
import socket
from urllib.parse import urlsplit

from node.home import NodeHome
from sync import http_client
from sync.change import release_params
from sync.enrollment import decode_code, fetch_pinned_cert
from sync.keys import SigningKey
from sync.node_sync import RoundResult, sync_round


def enroll_node(home: NodeHome, code: str, name: str | None = None) -> tuple[dict, RoundResult]:
    """Join, then take the first pull (a failing pull raises; the node is enrolled)."""
    enrollment = join(home, code, name)
    settings = home.settings()
    store = home.open_store()
    transport = http_client.HttpTransport(settings["url"], enrollment["node_id"], home.signing_key(),
                                          home.cert_pem())
    try:
        result = sync_round(store, transport, transport.key)
    finally:
        transport.close()
        store.close()
    return enrollment, result


def join(home: NodeHome, code: str, name: str | None = None) -> dict:
    """Spend the code on a new node in `home`: the key, the pinned certificate, the
    settings and the replica bound to its identity (no pull yet). Every refusal (a bad,
    used or expired code, a wrong pin, HQ unreachable) comes before anything is written."""
    if home.enrolled():
        raise SystemExit(f"{home.dir} already holds an enrolled node")
    info = decode_code(code)
    url = info["url"].rstrip("/")
    cert_pem = None
    if urlsplit(url).scheme == "https":
        if not info.get("cert_sha256"):
            raise ValueError("the enrollment code has no certificate fingerprint for an https hub")
        cert_pem = fetch_pinned_cert(url, info["cert_sha256"])
    key = SigningKey.generate()
    name = name or socket.gethostname()
    enrollment = http_client.enroll(url, cert_pem, {
        "token": info["token"], "public_key": key.public_b64, "name": name, **release_params()})
    if enrollment["hub_id"] != info["hub_id"]:
        raise ValueError("the hub that answered is not the one the enrollment code names")
    key.save(home.key)
    if cert_pem:
        home.save_cert(cert_pem)
    home.save_settings({"url": url, "node_id": enrollment["node_id"], "outlet_id": enrollment["outlet_id"],
                        "hub_id": enrollment["hub_id"], "name": name})
    store = home.open_store()
    try:
        store.bind(enrollment)
        if enrollment.get("technician_name"):  # a device: whose it is, before their row arrives
            with store.tx():
                store.meta_set("technician_name", enrollment["technician_name"])
    finally:
        store.close()
    return enrollment
