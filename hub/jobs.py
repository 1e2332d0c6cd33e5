"""HQ's scheduled work in the hub process (APScheduler 3, one BackgroundScheduler): SLA
escalation, callback tasks, report roll-ups. Each job is a module-level function taking the
HubServices; it is registered in JOBS with an explicit id and an interval, runs with
max_instances=1 and coalesce=True, and a crash is logged with its traceback rather than
stopping the scheduler. A stop lets running jobs finish within a bound (README "Stopping").
Several hub processes on one PostgreSQL database each run the scheduler, and a job does its
work only in the one process that leads (hub/leadership.py): one at a time, another within
a minute when it dies."""
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from hub import metrics
from hub.leadership import PgLeadership, Sole
from hub.services import approvals, callbacks, monitor
from hub.services.rollups import fold_job
from hub.services.sync_health import silence_job

log = logging.getLogger("fieldsync.hub.jobs")

# (job id, function of HubServices, interval in seconds); services modules add theirs.
JOBS: list[tuple[str, Callable, int]] = [
    ("callbacks", callbacks.callback_job, 600),   # callback tasks / closing unsampled orders
    ("sla_escalation", monitor.escalation_job, 60),
    ("approvals_autopost", approvals.autopost_job, 60),  # small stocktake variances post themselves
    ("report_rollups", fold_job, 60),
    ("sync_silence", silence_job, 600),  # nodes silent for longer than FIELDSYNC_SILENT_HOURS
]

# Jobs that also run as the scheduler starts: a hub back after an outage tells HQ about
# silent devices now, not one interval later.
RUN_AT_START = frozenset({"sync_silence"})


class HubJobs:
    """The scheduler and a count of the jobs it is running, so that a stop can wait for
    them within a bound (APScheduler's own shutdown waits without one)."""

    def __init__(self, scheduler, leadership: Sole | PgLeadership | None = None):
        self.scheduler = scheduler
        self.leadership = leadership or Sole()
        self._idle = threading.Condition()
        self._running = 0

    def supervised(self, job_id: str, fn: Callable, services) -> Callable[[], None]:
        def run() -> None:
            if not self.leadership.leading():  # another hub process runs the jobs
                metrics.JOB_RUNS.labels(job_id, "standby").inc()
                return
            with self._idle:
                self._running += 1
            outcome = "failed"
            try:
                fn(services)
                outcome = "ok"
            except Exception:
                log.exception("hub job %s failed", job_id, extra={"fields": {"job": job_id, "outcome": outcome}})
            finally:
                metrics.JOB_RUNS.labels(job_id, outcome).inc()
                with self._idle:
                    self._running -= 1
                    self._idle.notify_all()
        return run

    def leader(self) -> str | None:
        """Who runs the scheduled jobs, for /readyz: this process, or (several processes on
        PostgreSQL) the one that leads; None when this process's scheduler stopped."""
        return self.leadership.leader() if self.scheduler.running else None

    def took_over(self) -> None:
        """This process leads from now: the jobs that run at start run now (a hub taking
        over from a dead one tells HQ about silent devices at once, not one interval later)."""
        for job_id in RUN_AT_START:
            if self.scheduler.get_job(job_id) is not None:
                self.scheduler.modify_job(job_id, next_run_time=datetime.now())

    def stop(self, timeout: float, cut_short=lambda: False) -> bool:
        """No new runs; wait up to `timeout` s (less if `cut_short()` turns true) for the
        running ones. False if one is still running (each job commits its own
        transactions, so leaving it behind loses only its uncommitted work)."""
        self.scheduler.shutdown(wait=False)
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._running:
                if time.monotonic() >= deadline or cut_short():
                    return False
                self._idle.wait(0.05)
        self.leadership.stop()  # another process may lead now
        return True


def start(services, jobs: list[tuple[str, Callable, int]] | None = None,
          leadership: Sole | PgLeadership | None = None) -> HubJobs:
    """Start the scheduler with `jobs` (default JOBS) under `leadership` (default: this
    process alone leads); call .stop(timeout) on the result."""
    from apscheduler.schedulers.background import BackgroundScheduler
    scheduler = BackgroundScheduler(daemon=True)
    running = HubJobs(scheduler, leadership)
    for job_id, fn, seconds in (JOBS if jobs is None else jobs):
        scheduler.add_job(running.supervised(job_id, fn, services), "interval", seconds=seconds, id=job_id,
                          replace_existing=True, max_instances=1, coalesce=True)
    scheduler.start()
    running.leadership.start(on_lead=running.took_over)
    return running
