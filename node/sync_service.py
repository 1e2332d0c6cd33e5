"""Background sync of a node: an APScheduler job every 30 s (with jitter), exponential
backoff with a cap while HQ is unreachable, and a "sync now" that shares the job's lock.
Its status is what the sync panel shows; listeners hear about every finished round.
A stop ends a running round before its next request to HQ (between two segments, pull
pages or attachments): what HQ acknowledged stays acknowledged, the rest goes next time."""
import hashlib
import logging
import random
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from shared.jsonlog import NODE_ID, event
from shared.messages import describe
from shared.private_files import private_dir, write_private
from sync.errors import SyncError
from sync.hlc import now_ms
from sync.http_client import HubUnreachable
from sync.node_store import NodeStore
from sync.node_sync import sync_round

log = logging.getLogger("fieldsync.node.sync")
JOB_ID = "fieldsync-sync"


class RoundStopped(Exception):
    """The node is stopping: the round's next request to HQ was not sent."""


class _UntilStopped:
    """The transport as a round sees it: every request first checks that the node is not
    stopping, so a round ends between two requests rather than after all of them."""

    def __init__(self, transport, stopping: threading.Event):
        self._transport, self._stopping = transport, stopping

    def __getattr__(self, name):
        attr = getattr(self._transport, name)
        if not callable(attr):
            return attr

        def request(*args, **kwargs):
            if self._stopping.is_set():
                raise RoundStopped()
            return attr(*args, **kwargs)
        return request


@dataclass
class SyncStatus:
    last_success_at: int | None = None
    last_attempt_at: int | None = None
    last_error: str | None = None        # in words, for the sync panel
    hub_reachable: bool | None = None
    failures: int = 0                    # consecutive failed rounds
    retry_at: int | None = None          # backoff: no scheduled round before this
    pending: int = 0                     # local changes HQ has not acknowledged
    refused: int = 0                     # ops HQ refused (see the sync panel)
    rounds: int = 0
    last_round: dict = field(default_factory=dict)


def backoff_s(failures: int, base: float, cap: float) -> float:
    """base·2^(failures−1), capped, with ±20 % jitter so outlets don't retry in step."""
    delay = min(cap, base * 2 ** max(0, failures - 1))
    return delay * random.uniform(0.8, 1.2)


class SyncService:
    def __init__(self, store: NodeStore, transport, key, *, interval_s: float = 30,
                 jitter_s: float = 5, max_backoff_s: float = 600, lang: str = "zh",
                 blobs_dir: Path | None = None):
        self._stopping = threading.Event()
        self.store, self.key = store, key
        self.transport = _UntilStopped(transport, self._stopping) if transport is not None else None
        self.interval_s, self.jitter_s, self.max_backoff_s = interval_s, jitter_s, max_backoff_s
        self.lang = lang
        self.blobs_dir = blobs_dir
        self.status = SyncStatus(pending=store.pending_count(), refused=len(store.refused()))
        self._lock = threading.Lock()
        self._listeners = []
        self._scheduler: BackgroundScheduler | None = None

    def add_listener(self, fn) -> None:
        self._listeners.append(fn)

    def start(self) -> None:
        self._scheduler = BackgroundScheduler(daemon=True)
        self._scheduler.add_job(_scheduled_round, "interval", args=[self], seconds=self.interval_s,
                                jitter=self.jitter_s, id=JOB_ID, replace_existing=True,
                                max_instances=1, coalesce=True)
        self._scheduler.start()
        threading.Thread(target=self.sync_now, daemon=True, name="first-sync").start()

    def stopping(self) -> None:
        """No new round, and a running one ends before its next request (safe to call from
        the event loop; not from a signal handler)."""
        self._stopping.set()

    def stop(self, timeout: float, cut_short=lambda: False) -> bool:
        """Stop the schedule and wait up to `timeout` s for a running round to end (less if
        `cut_short()` turns true). False if a round is still waiting for HQ's answer."""
        self.stopping()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        deadline = time.monotonic() + timeout
        while not self._lock.acquire(timeout=0.05):
            if time.monotonic() >= deadline or cut_short():
                return False
        self._lock.release()
        return True

    def scheduling(self) -> bool:
        """Rounds are scheduled (started and not stopping): the node's part of /readyz."""
        return self._scheduler is not None and self._scheduler.running and not self._stopping.is_set()

    def sync_now(self) -> SyncStatus:
        """One round now, whatever the backoff says (a person asked for it)."""
        with self._lock:
            if not self._stopping.is_set():
                self._round()
        return self.status

    def scheduled(self) -> None:
        if self._stopping.is_set() or self.status.retry_at and now_ms() < self.status.retry_at:
            return
        if not self._lock.acquire(blocking=False):
            return  # "sync now" is running
        try:
            self._round()
        finally:
            self._lock.release()

    def _round(self) -> None:
        st = self.status
        st.last_attempt_at = now_ms()
        NODE_ID.set(self.store.node_id)
        started = time.perf_counter()
        outcome = "ok"
        try:
            result = sync_round(self.store, self.transport, self.key)
            uploaded = self.upload_blobs()
        except RoundStopped:
            event(log, "sync round ended early: the node is stopping (what HQ acknowledged is kept)",
                  outcome="stopped")
            return
        except HubUnreachable:
            outcome = "unreachable"
            self._failed("unreachable", reachable=False)
        except SyncError as exc:
            outcome = exc.code
            self._failed(exc.code, reachable=True, detail=exc.message)
        except Exception as exc:  # a bug: keep the node running, log the traceback once
            outcome = "internal"
            log.error("sync round crashed: %s", "".join(traceback.format_exception(exc)))
            self._failed("internal", reachable=None, detail=str(exc))
        else:
            st.last_success_at, st.hub_reachable = now_ms(), True
            st.last_error = st.retry_at = None
            st.failures = 0
            if result.held:  # a rollout: the round pulled, our changes wait (said, not silent)
                st.last_error_code, st.last_error = result.held, describe(result.held, self.lang)
            st.last_round = {"pushed": result.pushed, "pulled": result.pulled,
                             "rejected": len(result.rejected), "uploaded": uploaded,
                             "new_epoch": result.new_epoch, "held": result.held,
                             "handed_back": result.handed_back, "lost": result.lost}
        st.rounds += 1
        st.pending = self.store.pending_count()
        st.refused = len(self.store.refused())
        counts = st.last_round if outcome == "ok" else {}
        event(log, "sync round", logging.INFO if outcome == "ok" else logging.WARNING, outcome=outcome,
              ms=round((time.perf_counter() - started) * 1000, 1), pending=st.pending, refused=st.refused,
              failures=st.failures, **{k: counts[k] for k in ("pushed", "pulled", "rejected", "uploaded", "held")
                                       if k in counts})
        for fn in list(self._listeners):
            try:
                fn(st)
            except Exception:
                log.exception("sync listener failed")

    def _failed(self, code: str, reachable: bool | None, detail: str = "") -> None:
        st = self.status
        st.failures += 1
        st.hub_reachable = reachable
        if code == "revoked" and self.store.kind == "device":  # retired by its outlet manager or HQ
            code = "device_retired"
        st.last_error = describe(code, self.lang) if code != "internal" else f"同步出错: {detail}"
        delay = backoff_s(st.failures, self.interval_s, self.max_backoff_s)
        st.retry_at = now_ms() + int(delay * 1000)
        event(log, "sync failed", logging.WARNING, outcome=code, retry_in_s=round(delay))

    # ---- attachments ----

    def queue_attachment(self, data: bytes) -> str:
        """Keep a photo or signature locally and queue it; returns its SHA-256."""
        sha = hashlib.sha256(data).hexdigest()
        path = Path(self.blobs_dir) / sha[:2] / sha
        if not path.exists():
            private_dir(path.parent)
            tmp = path.with_suffix(".part")
            write_private(tmp, data)
            tmp.replace(path)
        self.store.queue_blob(sha, str(path), len(data), now_ms())
        return sha

    def read_attachment(self, sha256: str) -> bytes | None:
        """A photo or signature this device holds (attached here), else None."""
        if self.blobs_dir is None or len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            return None
        path = Path(self.blobs_dir) / sha256[:2] / sha256
        return path.read_bytes() if path.is_file() else None

    def upload_blobs(self) -> int:
        """Upload queued blobs; one HQ already holds (a crash after its upload) is only marked."""
        if not hasattr(self.transport, "put_blob"):
            return 0
        sent = 0
        for sha, path in self.store.blobs_to_upload():
            if not self.transport.has_blob(sha):
                self.transport.put_blob(sha, Path(path).read_bytes())
                sent += 1
            self.store.mark_uploaded(sha, now_ms())
        return sent


def _scheduled_round(service: SyncService) -> None:
    """Module-level job function (APScheduler 3.x); the service decides whether to run."""
    service.scheduled()
