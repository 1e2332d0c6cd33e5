"""Serving an ASGI app with uvicorn until SIGTERM or SIGINT, within a bound (the hub, the
outlet app).

uvicorn stops gracefully on a signal but waits for open connections and running requests
without a limit unless told (`timeout_graceful_shutdown`), and treats a second SIGTERM like
the first. Once stopped it raises the signal again under the handler it found: the default
SIGTERM handler would kill the process before the caller stopped its scheduler and closed
its store. Here the caller's StopSignals is that handler (the signal is only recorded), a
second signal of either kind stops waiting for connections at once, and `on_stopping` runs
on the event loop as the stop begins, so background work can stop alongside."""
import signal
from collections.abc import Callable

import uvicorn

from shared.stopping import StopSignals, Stopwatch


class BoundedServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, signals: StopSignals, stopwatch: Stopwatch,
                 on_stopping: Callable[[], None] | None = None):
        super().__init__(config)
        self.signals, self.stopwatch, self.on_stopping = signals, stopwatch, on_stopping
        self.first_signal: str | None = None

    def handle_exit(self, sig, frame) -> None:  # a signal handler: flags only
        if self.should_exit:
            self.force_exit = True
        else:
            self.first_signal = signal.Signals(sig).name
        super().handle_exit(sig, frame)

    async def on_tick(self, counter: int) -> bool:
        if self.signals.count:  # a signal that came before uvicorn took the handlers over
            self.should_exit = True
        return await super().on_tick(counter)

    async def shutdown(self, sockets=None) -> None:
        self.stopwatch.begin(self.first_signal or self.signals.name())
        if self.on_stopping is not None:
            self.on_stopping()
        await super().shutdown(sockets)


def serve(app, *, host: str, port: int, grace: float, signals: StopSignals, stopwatch: Stopwatch,
          on_stopping: Callable[[], None] | None = None, server_class: type[BoundedServer] = BoundedServer,
          **config) -> None:
    """Serve `app` until a stop signal; requests still open `grace` seconds later are
    cancelled. Returns once uvicorn has stopped (the signal stays in `signals`)."""
    if signals.count:
        return
    cfg = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=max(1, round(grace)),
                         **config)
    server_class(cfg, signals, stopwatch, on_stopping).run()
