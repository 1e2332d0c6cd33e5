"""Slow clients do not stop the hub (issue #17 item 9): a hundred connections that send half
a request head and stall leave a signed hello answered, and the hub closes each of them once
its head is late (hub/client_limits.py), instead of holding them for ever."""
import select
import socket
import time

from shared.client_limits import HEAD_TIMEOUT_S
from sync import http_client, keys
from sync.http_client import HttpTransport

STALLED = 100


def enrolled_transport(served_hub) -> HttpTransport:
    hub = served_hub.home.open()
    token = hub.create_enroll_token(served_hub.outlet_id)
    hub.close()
    key = keys.SigningKey.generate()
    enrollment = http_client.enroll(served_hub.url, None, {"token": token, "public_key": key.public_b64,
                                                           "name": "tablet"})
    return HttpTransport(served_hub.url, enrollment["node_id"], key, None)


def still_open_after(sockets: list[socket.socket], seconds: float) -> int:
    """How many of `sockets` the hub has not closed within `seconds`."""
    waiting, deadline = set(sockets), time.monotonic() + seconds
    while waiting and time.monotonic() < deadline:
        readable, _, _ = select.select(list(waiting), [], [], max(0, deadline - time.monotonic()))
        for s in readable:
            try:
                closed = s.recv(1024) == b""
            except ConnectionResetError:
                closed = True
            if closed:
                waiting.discard(s)
    return len(waiting)


def test_a_hundred_stalled_heads_leave_the_hub_serving_and_are_closed(served_hub):
    stalled = []
    try:
        for _ in range(STALLED):
            s = socket.create_connection(("127.0.0.1", served_hub.port), timeout=10)
            s.sendall(b"GET /api/v1/sync/hello HTTP/1.1\r\nHost: 127.0.0.1\r\nSignature-In")
            stalled.append(s)
        transport = enrolled_transport(served_hub)
        assert transport.hello()["hub_id"]
        transport.close()
        assert still_open_after(stalled, HEAD_TIMEOUT_S * 3) == 0
    finally:
        for s in stalled:
            s.close()
