"""Every HTTP request to the hub observed once, as pure ASGI middleware: a request id
(the balancer's X-Request-ID when sane, else a new one; echoed in the response), the
request counted and timed by endpoint (the route's template, `/hq` for HQ's web UI,
`unmatched` otherwise) and status, and one JSON log line with the outcome.

The route may say more on `request.state`: `node_id` (the signer, once authenticated)
and `outcome` (the protocol or refusal code of an error). API requests log at INFO;
the probes, the metrics scrape and HQ's web UI at DEBUG (a balancer probes every few
seconds, a browser fetches dozens of files)."""
import logging
import time

from hub import metrics
from shared.jsonlog import NODE_ID, REQUEST_ID, event, request_id_from

log = logging.getLogger("fieldsync.hub.http")
QUIET_PREFIXES = ("/healthz", "/readyz", "/metrics", "/hq", "/favicon")


def endpoint_of(scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path or "/"
    return "unmatched"


class Observed:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or ())
        request_id = request_id_from((headers.get(b"x-request-id") or b"").decode("latin-1"))
        rid_token, node_token = REQUEST_ID.set(request_id), NODE_ID.set(None)
        started = time.perf_counter()
        status = [500]

        async def send_observed(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message = {**message, "headers": [*message.get("headers", ()),
                                                  (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            seconds = time.perf_counter() - started
            endpoint = endpoint_of(scope)
            path = scope.get("path", "")
            if path.startswith("/hq"):
                endpoint = "/hq"
            metrics.REQUESTS.labels(endpoint, scope.get("method", ""), str(status[0])).inc()
            metrics.REQUEST_SECONDS.labels(endpoint).observe(seconds)
            state = scope.get("state") or {}
            node_id = state.get("node_id")
            outcome = state.get("outcome") or ("ok" if status[0] < 400 else str(status[0]))
            fields = {"method": scope.get("method"), "endpoint": endpoint, "status": status[0],
                      "ms": round(seconds * 1000, 1), "outcome": outcome}
            if node_id:
                fields["node_id"] = node_id
            quiet = path.startswith(QUIET_PREFIXES) or path == "/"
            event(log, "request", logging.DEBUG if quiet else logging.INFO, **fields)
            REQUEST_ID.reset(rid_token)
            NODE_ID.reset(node_token)
