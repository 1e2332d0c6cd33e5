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
    enrollment = http_client.enroll(url, cert_pem, {
        "token": info["token"], "public_key": key.public_b64, "name": name or socket.gethostname(),
        **release_params()})
    if enrollment["hub_id"] != info["hub_id"]:
        raise ValueError("the hub that answered is not the one the enrollment code names")
    key.save(home.key)
    if cert_pem:
        home.save_cert(cert_pem)
    home.save_settings({"url": url, "node_id": enrollment["node_id"], "outlet_id": enrollment["outlet_id"],
                        "hub_id": enrollment["hub_id"], "name": name or socket.gethostname()})
    store = home.open_store()
    store.bind(enrollment)
    transport = http_client.HttpTransport(url, enrollment["node_id"], key, cert_pem)
    try:
        result = sync_round(store, transport, key)
    finally:
        transport.close()
        store.close()
    return enrollment, result
