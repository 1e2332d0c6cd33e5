"""Serving the app: Flet's FastAPI app with the web client bundled (`no_cdn`, the outlet
may have no internet), the Chinese font as an asset (CanvasKit draws no CJK glyphs
offline otherwise), and uvicorn that says where it listens once it does."""
import signal
from pathlib import Path

import uvicorn

import shared

ASSETS = Path(shared.__file__).parent / "ui_assets"  # holds fonts/NotoSansSC-subset.otf


def create_app(services, live, *, lang: str = "zh"):
    """`services`: NodeServices (each call already atomic against the sync thread)."""
    import flet.fastapi as flet_fastapi

    from node.ui.shell import Shell

    async def main(page):
        Shell(page, services, live, lang=lang).start()

    return flet_fastapi.app(main, assets_dir=str(ASSETS), no_cdn=True, app_name="fieldsync",
                            app_short_name="fieldsync")


class _Server(uvicorn.Server):
    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        if self.started:
            host, port = self.config.host, self.config.port
            for server in getattr(self, "servers", []):  # the port actually bound (0 → chosen)
                for sock in server.sockets:
                    port = sock.getsockname()[1]
            print(f"node UI on http://{host}:{port}", flush=True)


def serve(app, host: str = "127.0.0.1", port: int = 8600) -> None:
    """Run until SIGTERM or Ctrl-C. uvicorn stops gracefully on both, then re-raises the
    signal under the handler it found: for SIGTERM that is a no-op here, so serve()
    returns and the caller stops the sync and closes the store; Ctrl-C comes back as
    KeyboardInterrupt."""
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=3,
                            lifespan="on")
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        _Server(config).run()
    finally:
        signal.signal(signal.SIGTERM, previous)
