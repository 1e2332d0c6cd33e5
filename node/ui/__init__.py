"""The outlet's Flet web app, served offline (no CDN) to the outlet's PCs and tablets.
Views are thin over node/services: they render the services' dataclasses and call their
actions; every rule (role, state machine, frozen documents) is the services'.

    app = create_app(services, live)     # an ASGI app for uvicorn (services: NodeServices)
    serve(app, host, port, signals=..., stopwatch=...)   # prints "node UI on http://HOST:PORT"
"""
from node.ui.live import LiveSessions
from node.ui.server import create_app, serve

__all__ = ["LiveSessions", "create_app", "serve"]
