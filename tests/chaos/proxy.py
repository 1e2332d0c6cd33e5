"""A small TCP proxy between one node and the hub, run on an asyncio loop in a thread, that
the nemesis turns into a bad network: `down` (connections refused and every open one cut),
`latency_s` (each chunk held back), `drop_p` (a connection is cut after a random number of
bytes: a round dies mid-stream). TLS passes through untouched, so the node's pinned
certificate check still holds."""
import asyncio
import random
import threading


class Proxy:
    def __init__(self, upstream_port: int, seed: int = 0):
        self.upstream_port = upstream_port
        self.port = 0
        self.down = False
        self.latency_s = 0.0
        self.drop_p = 0.0
        self._rng = random.Random(seed)
        self._writers: set = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"proxy->{upstream_port}")
        self._thread.start()
        self._ready.wait(10)

    # ---- control (from any thread) ----

    def set(self, *, down: bool | None = None, latency_s: float | None = None, drop_p: float | None = None) -> None:
        if down is not None:
            self.down = down
        if latency_s is not None:
            self.latency_s = latency_s
        if drop_p is not None:
            self.drop_p = drop_p
        if down:
            self.cut_all()

    def heal(self) -> None:
        self.set(down=False, latency_s=0.0, drop_p=0.0)

    def cut_all(self) -> None:
        """Close every open connection now (a cable pulled)."""
        self._loop.call_soon_threadsafe(self._close_all)

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._shutdown)
        self._thread.join(10)

    # ---- the loop ----

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    def _shutdown(self) -> None:
        self._server.close()
        self._close_all()
        self._loop.call_later(0.2, self._loop.stop)

    def _close_all(self) -> None:
        for w in list(self._writers):
            w.transport.abort()

    async def _handle(self, reader, writer) -> None:
        if self.down:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.transport.abort()
            return
        budget = self._rng.randint(200, 60_000) if self._rng.random() < self.drop_p else None
        state = {"budget": budget, "writers": (writer, up_writer)}
        self._writers |= {writer, up_writer}
        try:
            await asyncio.gather(self._pump(reader, up_writer, state), self._pump(up_reader, writer, state))
        finally:
            for w in (writer, up_writer):
                self._writers.discard(w)
                w.transport.abort()

    async def _pump(self, reader, writer, state) -> None:
        try:
            while True:
                data = await reader.read(16384)
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()  # a half-close passes through
                    return
                if self.latency_s:
                    await asyncio.sleep(self.latency_s * self._rng.uniform(0.5, 1.5))
                if self.down:
                    break
                if state["budget"] is not None:
                    state["budget"] -= len(data)
                    if state["budget"] <= 0:
                        break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        state["dead"] = True
        for w in state["writers"]:
            w.transport.abort()  # cut: both directions at once
