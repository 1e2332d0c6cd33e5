"""The outlet's Flet web app, served offline (no CDN) to the outlet's PCs and tablets.
Views are thin over node/services: they render the services' dataclasses and call their
actions; every rule (role, state machine, frozen documents) is the services'.

    app = create_app(services, live)     # an ASGI app for uvicorn (services: NodeServices)
    serve(app, host, port, signals=..., stopwatch=...)   # prints "node UI on http://HOST:PORT"

The server (uvicorn, FastAPI) is imported only when asked for: the packaged device app
(node/device_app.py, the APK) runs the same screens without it.
"""
from node.ui.live import LiveSessions

__all__ = ["LiveSessions", "create_app", "serve"]


def __getattr__(name: str):
    if name in ("create_app", "serve"):
        from node.ui import server
        return getattr(server, name)
    raise AttributeError(name)
