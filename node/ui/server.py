"""Serving the app: Flet's FastAPI app with the web client bundled (`no_cdn`, the outlet
may have no internet), the Chinese font as an asset (CanvasKit draws no CJK glyphs
offline otherwise), and uvicorn that says where it listens once it does."""
from pathlib import Path
from collections.abc import Callable

import shared
from shared.session_life import SessionLife
from shared import client_limits
from shared.serving import BoundedServer
from shared.serving import serve as bounded_serve
from shared.stopping import StopSignals, Stopwatch

ASSETS = Path(shared.__file__).parent / "ui_assets"  # holds fonts/NotoSansSC-subset.otf
MAX_CONNECTIONS = 200  # an outlet's desks and tablets, each a websocket, with room to spare


def create_app(services, live, *, lang: str = "zh", checks=None, life: SessionLife | None = None):
    """`services`: NodeServices (each call already atomic against the sync thread).
    `checks`: the node's readiness checks (node.health), served at /readyz beside /healthz
    ahead of the UI's paths (docs/operations.md). `life`: the idle timeout
    (shared/session_life.py; None: the default)."""
    from node.ui.shell import Shell
    life = life or SessionLife()

    async def main(page):
        Shell(page, services, live, lang=lang, life=life).start()

    return create_app_for(main, checks, life)


def create_app_for(main, checks=None, life: SessionLife | None = None):
    """The ASGI app serving the Flet entry `main(page)` (the outlet app, the device app),
    with /healthz and /readyz ahead of the UI's paths; a disconnected session is kept only
    `life`'s idle time (the entry's shell logs it out then)."""
    import flet.fastapi as flet_fastapi
    from shared.health import add_health_routes
    from shared.ui import session_guard
    session_guard.install()  # before the first session: no traceback ever reaches a browser
    app = flet_fastapi.app(main, assets_dir=str(ASSETS), no_cdn=True, app_name="fieldsync",
                           app_short_name="fieldsync", session_timeout_seconds=(life or SessionLife()).retention_s)
    add_health_routes(app, checks or (lambda: []), first=True)
    return app


class _Server(BoundedServer):
    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        if self.started:
            host, port = self.config.host, self.config.port
            for server in getattr(self, "servers", []):  # the port actually bound (0 → chosen)
                for sock in server.sockets:
                    port = sock.getsockname()[1]
            scheme = "https" if self.config.ssl_certfile else "http"
            print(f"node UI on {scheme}://{host}:{port}", flush=True)


def serve(app, host: str, port: int, *, signals: StopSignals, stopwatch: Stopwatch,
          on_stopping: Callable[[], None] | None = None, grace: float = 3,
          tls: tuple[Path, Path] | None = None) -> None:
    """Run until SIGTERM or Ctrl-C (recorded in `signals`); open sessions get `grace`
    seconds. `on_stopping` runs as the stop begins, so the sync can stop alongside. Slow and
    numerous clients are bounded as at the hub (shared/client_limits.py): the outlet's Wi-Fi
    is shared. `tls`: (certificate, key) to serve HTTPS (node.ui_tls); None: plain HTTP."""
    certs = {} if tls is None else {"ssl_certfile": str(tls[0]), "ssl_keyfile": str(tls[1])}
    bounded_serve(app, host=host, port=port, grace=grace, signals=signals, stopwatch=stopwatch,
                  on_stopping=on_stopping, server_class=_Server, lifespan="on", **certs,
                  **client_limits.uvicorn_options(MAX_CONNECTIONS))
