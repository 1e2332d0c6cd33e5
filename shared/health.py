"""Liveness and readiness, the same shape for the hub and the node (docs/operations.md).

`GET /healthz`: the process is alive and its event loop answers — no store, no network.
`GET /readyz`: every readiness check passes within READY_TIMEOUT_S; 200 with the checks,
else 503 with the same body, so a load balancer (HAProxy's `option httpchk GET /readyz`,
`http-check expect status 200`) takes the process out of rotation. Both unauthenticated
and cheap: the checks read no rows, only answer whether the store answers."""
import asyncio
from collections.abc import Callable
from dataclasses import asdict, dataclass

READY_TIMEOUT_S = 2.0


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


def checked(name: str, fn: Callable[[], str]) -> Check:
    """Run one check: `fn` returns a detail when it passes and raises when it does not."""
    try:
        return Check(name, True, fn())
    except Exception as exc:  # any failure is "not ready", said in a word, never a traceback
        return Check(name, False, f"{type(exc).__name__}: {exc}"[:200])


async def readiness(checks: Callable[[], list[Check]], timeout: float | None = None) -> tuple[int, dict]:
    """(HTTP status, body): the checks run on a worker thread, so a store stuck on a lock
    makes the answer 503 after `timeout` (READY_TIMEOUT_S) rather than holding the probe."""
    timeout = READY_TIMEOUT_S if timeout is None else timeout
    try:
        results = await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(None, checks), timeout)
    except TimeoutError:
        results = [Check("answer", False, f"the checks did not finish within {timeout:g} s")]
    ready = all(c.ok for c in results)
    return (200 if ready else 503), {"status": "ready" if ready else "not_ready",
                                     "checks": [asdict(c) for c in results]}


def add_health_routes(app, checks: Callable[[], list[Check]], *, first: bool = False) -> None:
    """/healthz and /readyz on a FastAPI app; `first`: ahead of a catch-all mount at "/"
    (the node's Flet app serves every other path)."""
    from fastapi.responses import JSONResponse

    before = len(app.router.routes)

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return JSONResponse({"status": "alive"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz():
        status, body = await readiness(checks)
        return JSONResponse(body, status_code=status)

    if first:
        added = app.router.routes[before:]
        del app.router.routes[before:]
        app.router.routes[:0] = added
