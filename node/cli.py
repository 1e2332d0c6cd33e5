"""`fieldsync node …`: enroll, sync once, serve (the web UI with background sync)."""
import json
import logging

from node.home import NodeHome
from shared.commands import command_group

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
    c.add_argument("--interval", type=float, default=30, help="seconds between sync rounds")
    c.add_argument("--max-backoff", type=float, default=600, help="longest wait between rounds while HQ is unreachable")
    cmd("status", "print the node's identity and what is pending", _status)
    cmd("rotate-key", "replace this node's key (signed by the old one)", _rotate)


def _enroll(a) -> int:
    from node.enroll import enroll_node
    enrollment, result = enroll_node(NodeHome(a.dir), a.code, a.name)
    print(f"enrolled as {enrollment['node_id']} (letter {enrollment['node_letter']}) at outlet "
          f"{enrollment['outlet_code']}; pulled {result.pulled} changes")
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
    with StopSignals() as signals:  # first: a signal while the UI's modules load is kept too
        from node.runtime import NodeRuntime
        from node.services import NodeServices
        from node.health import node_checks
        from node.ui import LiveSessions, create_app, serve
        from shared import jsonlog
        jsonlog.configure("node", level=logging.INFO)
        runtime = NodeRuntime.open(NodeHome(a.dir), interval_s=a.interval, max_backoff_s=a.max_backoff)
        service = runtime.sync
        services = NodeServices(runtime.store, queue_blob=service.queue_attachment, sync_now=service.sync_now,
                                sync_status=lambda: service.status)
        live = LiveSessions()
        service.add_listener(lambda st: print(json.dumps({"sync": st.last_round, "error": st.last_error,
                                                          "pending": st.pending}, ensure_ascii=False), flush=True))
        service.add_listener(live.notify)
        app = create_app(services, live, checks=lambda: node_checks(runtime))
        runtime.start()
        print(f"node {runtime.settings['node_id']} serving; background sync every {a.interval:g}s", flush=True)
        stopwatch = Stopwatch("node")
        serve(app, a.host, a.port, signals=signals, stopwatch=stopwatch, on_stopping=runtime.stopping,
              grace=UI_GRACE_S)
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
    print(json.dumps({**settings, "epoch": store.epoch, "pending": store.pending_count(),
                      "refused": len(store.refused())}, ensure_ascii=False, indent=2))
    return 0
