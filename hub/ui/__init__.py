"""HQ's Flet web app, mounted in the hub's FastAPI app under /hq (same process, offline
web client). Views are thin over hub/services: they render what the services return and
call their actions; every rule (role, state machine, binding approvals) is the services'.

    mount_ui(app, services)      # adds /hq (the UI) to the hub's FastAPI app
"""
from hub.ui.server import UI_PATH, mount_ui

__all__ = ["UI_PATH", "mount_ui"]
