"""`fieldsync node …`: enroll, sync once, serve (the web UI with background sync)."""
import json
import logging

from node.home import NodeHome
from shared.commands import command_group
from shared.session_life import DEFAULT_IDLE_MINUTES, SessionLife, idle_minutes

SYNC_GRACE_S = 5  # a running sync round gets this long to reach its next request (README: Stopping)
UI_GRACE_S = 3    # open browser sessions and requests


def add_parser(sub) -> None:
    cmd = command_group(sub, "node", "outlet node: enroll, sync, serve", "the node's directory")
    c = cmd("enroll", "join the network with an enrollment code from HQ", _enroll)
    c.add_argument("code")
    c.add_argument("--name", default=None, help="a name HQ sees for this device")
    cmd("sync", "run one sync round and print what moved", _sync)
    c = cmd("serve", "run the outlet app (web UI) with background sync", _serve)
    c.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: the outlet's LAN)")
    c.add_argument("--port", type=int, default=8600, help="port of the web UI")
    c.add_argument("--tls-name", action="append", default=[], metavar="NAME",
                   help="a name or address tablets use for this PC, added to the UI's certificate (repeatable)")
    c.add_argument("--http", action="store_true",
                   help="plain HTTP instead of HTTPS: only with a loopback --host (127.0.0.1)")
    c.add_argument("--interval", type=float, default=30, help="seconds between sync rounds")
    c.add_argument("--max-backoff", type=float, default=600, help="longest wait between rounds while HQ is unreachable")
    c.add_argument("--idle-minutes", type=idle_minutes, default=None, metavar="MINUTES",
                   help=f"log a user out after this long without activity (default {DEFAULT_IDLE_MINUTES:g}; "
                        f"README: Sessions)")
    cmd("status", "print the node's identity and what is pending", _status)
    cmd("rotate-key", "replace this node's key (signed by the old one)", _rotate)


def add_device_parser(sub) -> None:
    """`fieldsync device`: the technician's device app (node/device_app.py)."""
    from pathlib import Path

    from shared.commands import owner_only
    c = sub.add_parser("device", help="the technician's device app: node, sync and screens in one process",
                       description="Run a technician's device: the replica, the background sync and the app. "
                                   "A window by default; --web or --port serve it to a browser on --host. "
                                   "An empty --dir asks for a device code first.")
    c.add_argument("--dir", required=True, type=Path, help="the device's node directory")
    c.add_argument("--web", action="store_true", help="serve the app to a browser instead of opening a window")
    c.add_argument("--host", default="127.0.0.1", help="address to listen on with --web")
    c.add_argument("--port", type=int, default=None, help="port of the web app (implies --web; default 8700)")
    c.add_argument("--interval", type=float, default=30, help="seconds between sync rounds")
    c.add_argument("--max-backoff", type=float, default=600,
                   help="longest wait between rounds while HQ is unreachable")
    c.add_argument("--idle-minutes", type=idle_minutes, default=None, metavar="MINUTES",
                   help=f"log the technician out after this long without activity (default {DEFAULT_IDLE_MINUTES:g})")
    c.set_defaults(fn=owner_only(_device))


def _device(a) -> int:
    from node.device_app import DeviceOptions, run
    web = a.web or a.port is not None
    return run(a.dir, web=web, host=a.host, port=8700 if a.port is None else a.port,
               options=DeviceOptions(interval_s=a.interval, max_backoff_s=a.max_backoff,
                                     idle_minutes=a.idle_minutes))


def _enroll(a) -> int:
    from node.enroll import enroll_node
    from node.ui_tls import ensure_ui_cert
    home = NodeHome(a.dir)
    enrollment, result = enroll_node(home, a.code, a.name)
    print(f"enrolled as {enrollment['node_id']} (letter {enrollment['node_letter']}) at outlet "
          f"{enrollment['outlet_code']}; pulled {result.pulled} changes")
    print(f"outlet app certificate SHA-256 {ensure_ui_cert(home.ui_tls).shown}")
    return 0


def _sync(a) -> int:
    from node.runtime import open_node
    from node.sync_service import SyncService
    _, store, key, transport = open_node(NodeHome(a.dir))
    st = SyncService(store, transport, key).sync_now()
    print(json.dumps({"ok": st.last_error is None, "error": st.last_error, **st.last_round,
                      "pending": st.pending, "refused": st.refused}, ensure_ascii=False))
    return 0 if st.last_error is None else 1


def _serve(a) -> int:
    """The outlet app: the Flet UI on HOST:PORT and the background sync, in one process.
    SIGTERM or Ctrl-C stops both within UI_GRACE_S + SYNC_GRACE_S (a second signal at
    once), closes the store and exits 0; see README "Stopping"."""
    from shared.stopping import StopSignals, Stopwatch, leave_now
    from node.ui_tls import ensure_ui_cert, is_loopback
    if a.http and not is_loopback(a.host):
        raise SystemExit(f"--http serves PINs and passwords in clear: only with a loopback --host, not {a.host} "
                         f"(明文 HTTP 只能用于本机地址)")
    NodeHome(a.dir).settings()  # an enrolled node, or the message saying how
    tls = None if a.http else ensure_ui_cert(NodeHome(a.dir).ui_tls, a.tls_name)
    if tls is not None:
        print(f"outlet app certificate SHA-256 {tls.shown}"
              + (" (new: tablets must trust it again)" if tls.made else ""), flush=True)
    with StopSignals() as signals:  # first: a signal while the UI's modules load is kept too
        from node.runtime import NodeRuntime
        from node.services import NodeServices
        from node.health import node_checks
        from node.ui import LiveSessions, create_app, serve
        from shared import jsonlog
        jsonlog.configure("node", level=logging.INFO)
        runtime = NodeRuntime.open(NodeHome(a.dir), interval_s=a.interval, max_backoff_s=a.max_backoff)
        service = runtime.sync
        services = NodeServices(runtime.store, queue_blob=service.queue_attachment,
                                read_blob=service.read_attachment, sync_now=service.sync_now,
                                sync_status=lambda: service.status, hub=lambda: runtime.transport)
        live = LiveSessions()
        service.add_listener(lambda st: print(json.dumps({"sync": st.last_round, "error": st.last_error,
                                                          "pending": st.pending}, ensure_ascii=False), flush=True))
        service.add_listener(live.notify)
        app = create_app(services, live, checks=lambda: node_checks(runtime), life=SessionLife.minutes(a.idle_minutes))
        runtime.start()
        print(f"node {runtime.settings['node_id']} serving; background sync every {a.interval:g}s", flush=True)
        stopwatch = Stopwatch("node")
        serve(app, a.host, a.port, signals=signals, stopwatch=stopwatch, on_stopping=runtime.stopping,
              grace=UI_GRACE_S, tls=None if tls is None else (tls.cert, tls.key))
        stopwatch.begin(signals.name())
        clean = runtime.stop(SYNC_GRACE_S, cut_short=lambda: signals.count > 1)
        if not clean:
            stopwatch.end("a sync round still waiting for HQ was left behind; the next start re-sends what HQ "
                          "did not acknowledge")
            leave_now(0)
        stopwatch.end()
    return 0


def _rotate(a) -> int:
    from node.rotate import rotate_key
    from node.runtime import open_node
    _, store, _, transport = open_node(NodeHome(a.dir))
    print(f"new public key {rotate_key(NodeHome(a.dir), transport)}")
    store.close()
    return 0


def _status(a) -> int:
    home = NodeHome(a.dir)
    settings = home.settings()
    store = home.open_store()
    from sync.handback import lost
    from sync.enrollment import cert_fingerprint
    ui_cert = home.ui_tls / "cert.pem"
    print(json.dumps({**settings,
                      "ui_cert_sha256": cert_fingerprint(ui_cert.read_text()) if ui_cert.exists() else None,
                      "epoch": store.epoch, "pending": store.pending_count(),
                      "refused": len(store.refused()),
                      "lost_in_hq_restore": [{"table": r["tbl"], "record": r["label"], "at": r["at"]}
                                             for r in lost(store)]}, ensure_ascii=False, indent=2))
    return 0
