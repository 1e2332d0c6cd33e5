"""An attacker's Flet client: Flet 1.0's websocket protocol spoken directly (msgpack frames
`[0x00][action, body]`), to send what no browser would — a crafted event, a stolen session
id — and read every byte the server sends back. Controls are found by their type (`_c`) and
their texts in the control trees the server sends."""
import ssl
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import msgpack
from websockets.sync.client import connect

REGISTER_CLIENT, PATCH_CONTROL, CONTROL_EVENT, UPDATE_CONTROL_PROPS, SESSION_CRASHED = 1, 2, 3, 4, 6


def _ext(code, data):
    return data.decode("utf-8", "replace") if code in (1, 2, 4) else msgpack.ExtType(code, data)


class Wire:
    """One websocket session with a Flet app at `url` (the page's address, e.g.
    https://127.0.0.1:8443/ or https://…/hq/); `frames` is every message received, raw."""

    def __init__(self, url: str, session_id: str | None = None, user_agent: str = "wire-test/1.0"):
        parts = urlsplit(url)
        ws_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{parts.path.rstrip('/')}/ws"
        ctx = None
        if parts.scheme == "https":
            ctx = ssl.create_default_context()
            ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        self._connection = connect(ws_url, ssl=ctx, additional_headers={"User-Agent": user_agent},
                                   open_timeout=20, max_size=None)
        self.ws = self._connection.__enter__()
        self.frames: list[bytes] = []
        self.messages: list[tuple[int, Any]] = []
        self.send(REGISTER_CLIENT, {"session_id": session_id or "", "page_name": parts.path.strip("/"), "page": {
            "route": "/", "width": 1366, "height": 900, "platform": "linux", "web": True,
            "platform_brightness": "light", "media": {}}})
        self.session_id = self.wait_for(lambda a, b: a == REGISTER_CLIENT)[1]["session_id"]

    def send(self, action: int, body: dict) -> None:
        self.ws.send(b"\x00" + msgpack.packb([action, body]))

    def receive(self, timeout: float) -> tuple[int, Any] | None:
        try:
            frame = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return None
        if not isinstance(frame, bytes) or not frame or frame[0] != 0:
            return None
        self.frames.append(frame)
        action, body = msgpack.unpackb(frame[1:], ext_hook=_ext, strict_map_key=False)
        self.messages.append((action, body))
        return action, body

    def wait_for(self, matches, timeout: float = 30, since: int = 0) -> tuple[int, Any]:
        """The first message (already received from the `since`th on, or next) that
        `matches(action, body)`."""
        for message in self.messages[since:]:
            if matches(*message):
                return message
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            message = self.receive(max(0.05, end - time.monotonic()))
            if message is not None and matches(*message):
                return message
        raise AssertionError(f"no such message within {timeout} s; got {len(self.messages)}")

    def settle(self, seconds: float = 1.5) -> None:
        """Read whatever arrives within `seconds`."""
        while self.receive(seconds) is not None:
            pass

    def controls(self) -> Iterator[dict]:
        """Every control (a dict with `_c` and `_i`) in everything received."""
        def walk(value):
            if isinstance(value, dict):
                if "_c" in value and "_i" in value:
                    yield value
                for v in value.values():
                    yield from walk(v)
            elif isinstance(value, list):
                for v in value:
                    yield from walk(v)
        for _, body in self.messages:
            yield from walk(body)

    def find(self, kind: str, **props) -> int:
        """The id of the last control of type `kind` whose props include `props`."""
        found = [c["_i"] for c in self.controls()
                 if c["_c"] == kind and all(c.get(k) == v for k, v in props.items())]
        if not found:
            raise AssertionError(f"no {kind} {props} received")
        return found[-1]

    def event(self, target: int, name: str, data=None) -> None:
        self.send(CONTROL_EVENT, {"target": target, "name": name, "data": data})

    def set(self, target: int, **props) -> None:
        self.send(UPDATE_CONTROL_PROPS, {"id": target, "props": props})

    def text(self) -> str:
        """Everything received, as text (to look for what must not be there)."""
        return b"".join(self.frames).decode("utf-8", "replace")

    def close(self) -> None:
        self._connection.__exit__(None, None, None)
