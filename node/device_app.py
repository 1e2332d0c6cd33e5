"""The technician's device app: one process runs a whole node — the replica, the background
sync and the outlet app's screens for the technician the device is bound to — with nothing
else to start. On a Windows or Linux tablet or laptop `fieldsync device --dir D` opens it
in a window (Flet's desktop view), or with `--web` serves it on 127.0.0.1 for a browser;
on Android the packaged entry (main.py at the repository's root, `flet build apk`) runs
the same `run` with the app's storage directory.

Until the directory holds an enrolled node the first screen asks for the device code and
a name (node/ui/device_shell.py), enrolls (node/device_enroll.py) and then starts the node
and shows the login."""
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from node.home import NodeHome
from node.ui.live import LiveSessions
from shared.session_life import SessionLife

log = logging.getLogger("fieldsync.device")
SYNC_GRACE_S = 5
UI_GRACE_S = 3


@dataclass
class DeviceOptions:
    interval_s: float = 30
    max_backoff_s: float = 600
    idle_minutes: float | None = None  # the idle logout (shared/session_life.py; None: its default)


class DeviceApp:
    """One device's node, shared by every window or browser tab showing it: its directory
    and, once enrolled, its runtime (replica + background sync) and services."""

    def __init__(self, home: NodeHome, options: DeviceOptions | None = None):
        self.home = home
        self.options = options or DeviceOptions()
        self.live = LiveSessions()
        self.runtime = None
        self.services = None
        self._lock = threading.Lock()
        self._stopping = False

    @property
    def enrolled(self) -> bool:
        return self.services is not None

    def start(self) -> None:
        """Open and start the node if the directory holds one (else enrollment comes first)."""
        if self.home.enrolled():
            self._open()

    def enroll(self, code: str, name: str) -> dict:
        """Enroll with a device code, then start the node. Raises ServiceError in words; on
        a refusal nothing is written."""
        from node.device_enroll import enroll_device
        with self._lock:
            if self.enrolled:
                return {}
            enrollment = enroll_device(self.home, code, name)
            self._open()
        return enrollment

    def _open(self) -> None:
        from node.runtime import NodeRuntime
        from node.services import NodeServices
        runtime = NodeRuntime.open(self.home, interval_s=self.options.interval_s,
                                   max_backoff_s=self.options.max_backoff_s)
        sync = runtime.sync
        sync.add_listener(lambda st: print(json.dumps({"sync": st.last_round, "error": st.last_error,
                                                       "pending": st.pending}, ensure_ascii=False), flush=True))
        sync.add_listener(self.live.notify)
        self.services = NodeServices(runtime.store, queue_blob=sync.queue_attachment, sync_now=sync.sync_now,
                                     sync_status=lambda: sync.status)
        self.runtime = runtime
        if not self._stopping:
            runtime.start()
        print(f"device node {runtime.settings['node_id']} running; background sync every "
              f"{self.options.interval_s:g}s", flush=True)

    def stopping(self) -> None:
        self._stopping = True
        if self.runtime is not None:
            self.runtime.stopping()

    def stop(self, timeout: float = SYNC_GRACE_S, cut_short=lambda: False) -> bool:
        self.stopping()
        with self._lock:
            return self.runtime.stop(timeout, cut_short) if self.runtime is not None else True

    def main(self, lang: str = "zh"):
        """The Flet entry for one window or tab."""
        from node.ui.device_shell import DeviceShell

        life = SessionLife.minutes(self.options.idle_minutes)

        async def main(page):
            DeviceShell(page, self, lang=lang, life=life).start()
        return main


def run(data_dir: Path, *, web: bool = False, host: str = "127.0.0.1", port: int = 0,
        options: DeviceOptions | None = None) -> int:
    """Run the device app until its window closes (desktop, Android) or a stop signal (web)."""
    from shared.stopping import StopSignals, Stopwatch, leave_now
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("flet", "flet_web", "flet_transport", "flet_desktop", "httpx", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    app = DeviceApp(NodeHome(Path(data_dir)), options)
    if not web:
        import flet as ft

        import shared
        app.start()
        try:  # node.ui.server is not imported: it needs uvicorn, which the APK has not
            # host/port only matter where Flet finds no display and serves a browser instead:
            # then on this machine only, never on 0.0.0.0
            ft.run(app.main(), assets_dir=str(Path(shared.__file__).parent / "ui_assets"), host=host,
                   port=port or 8700)
        finally:
            app.stop()
        return 0
    with StopSignals() as signals:
        from node.ui.server import create_app_for, serve
        app.start()
        stopwatch = Stopwatch("device")
        web_app = create_app_for(app.main(), life=SessionLife.minutes(app.options.idle_minutes))
        serve(web_app, host, port, signals=signals, stopwatch=stopwatch, on_stopping=app.stopping, grace=UI_GRACE_S)
        stopwatch.begin(signals.name())
        if not app.stop(SYNC_GRACE_S, cut_short=lambda: signals.count > 1):
            stopwatch.end("a sync round still waiting for HQ was left behind; the next start re-sends what HQ "
                          "did not acknowledge")
            leave_now(0)
        stopwatch.end()
    return 0
