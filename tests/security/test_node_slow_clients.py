"""Slow clients do not stop the outlet app either (issue #17 item 9): the node's web UI is
served with the hub's limits (shared/client_limits.py) — a hundred connections that send
half a request head and stall leave the app answering, and each is closed once its head is
late, instead of being held for ever (uvicorn alone holds them)."""
import socket
import ssl
import urllib.request
from urllib.parse import urlsplit

from shared.client_limits import HEAD_TIMEOUT_S
from tests.security.test_slow_clients import STALLED, still_open_after


def unverified() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    return ctx


def connect(url: str) -> socket.socket:
    """A connection to the node's UI port (TLS when it serves HTTPS), ready for a request."""
    parts = urlsplit(url)
    s = socket.create_connection((parts.hostname, parts.port), timeout=10)
    return unverified().wrap_socket(s, server_hostname=parts.hostname) if parts.scheme == "https" else s


def test_a_hundred_stalled_heads_leave_the_node_ui_serving_and_are_closed(served_node):
    stalled = []
    try:
        for _ in range(STALLED):
            s = connect(served_node.url)
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Ag")
            stalled.append(s)
        with urllib.request.urlopen(f"{served_node.url}/healthz", timeout=10, context=unverified()) as r:
            assert r.status == 200
        with urllib.request.urlopen(f"{served_node.url}/", timeout=10, context=unverified()) as r:
            assert b"flutter" in r.read().lower()  # the app's page itself
        assert still_open_after(stalled, HEAD_TIMEOUT_S * 3) == 0
    finally:
        for s in stalled:
            s.close()
