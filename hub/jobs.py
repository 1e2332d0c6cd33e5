"""HQ's scheduled work in the hub process (APScheduler 3, one BackgroundScheduler): SLA
escalation, callback tasks, report roll-ups. Each job is a module-level function taking the
HubServices; it is registered in JOBS with an explicit id and an interval, runs with
max_instances=1 and coalesce=True, and a crash is logged with its traceback rather than
stopping the scheduler."""
import logging
from collections.abc import Callable

from hub.services import approvals, callbacks, monitor
from hub.services.rollups import fold_job

log = logging.getLogger("fieldsync.hub.jobs")

# (job id, function of HubServices, interval in seconds); services modules add theirs.
JOBS: list[tuple[str, Callable, int]] = [
    ("callbacks", callbacks.callback_job, 600),   # callback tasks / closing unsampled orders
    ("sla_escalation", monitor.escalation_job, 60),
    ("approvals_autopost", approvals.autopost_job, 60),  # small stocktake variances post themselves
    ("report_rollups", fold_job, 60),
]


def _supervised(job_id: str, fn: Callable, services) -> Callable[[], None]:
    def run() -> None:
        try:
            fn(services)
        except Exception:
            log.exception("hub job %s failed", job_id)
    return run


def start(services, jobs: list[tuple[str, Callable, int]] | None = None):
    """Start the scheduler with `jobs` (default JOBS); returns it (call .shutdown())."""
    from apscheduler.schedulers.background import BackgroundScheduler
    scheduler = BackgroundScheduler(daemon=True)
    for job_id, fn, seconds in (JOBS if jobs is None else jobs):
        scheduler.add_job(_supervised(job_id, fn, services), "interval", seconds=seconds, id=job_id,
                          replace_existing=True, max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler
