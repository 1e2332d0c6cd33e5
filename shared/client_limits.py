"""How `hub serve` and the outlet app's server (`node serve`, `device --web`) treat slow and
numerous clients — the hub faces the internet, the node a shared Wi-Fi: a request's head
must arrive within HEAD_TIMEOUT_S, its body within BODY_TIMEOUT_S (hub.app read_body,
hub/admin_gate.py), an idle keep-alive connection closes after KEEP_ALIVE_S, and past its
connection cap the server answers 503 rather than exhaust itself. uvicorn times out only an idle
keep-alive, never a head that stopped half-way, hence `TimedHeadProtocol`."""
import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_TIMEOUT_S = 10
BODY_TIMEOUT_S = 120  # 16 MiB at ~140 KB/s, an outlet's slow uplink
KEEP_ALIVE_S = 5
MAX_CONNECTIONS = 1000


class TimedHeadProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head is still incomplete
    HEAD_TIMEOUT_S after the connection opened or its next request began to arrive."""

    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm_head_deadline()

    def data_received(self, data: bytes) -> None:
        if self._head_deadline is None and self.conn.their_state is h11.IDLE:
            self._arm_head_deadline()
        super().data_received(data)

    def connection_lost(self, exc) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
        super().connection_lost(exc)

    def _arm_head_deadline(self) -> None:
        self._head_deadline = self.loop.call_later(HEAD_TIMEOUT_S, self._head_late)

    def _head_late(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE:  # no complete request head yet
            self.transport.close()


def uvicorn_options(max_connections: int = MAX_CONNECTIONS) -> dict:
    """The limits above as uvicorn.Config keywords."""
    return {"http": TimedHeadProtocol, "timeout_keep_alive": KEEP_ALIVE_S,
            "limit_concurrency": max_connections}
