"""The hub's Prometheus metrics (prometheus_client), kept in memory in this process.

Counters and histograms live in one module-level registry that the routes, the admin
services and the jobs add to; per-outlet gauges are read from the nodes table when a
scrape asks (one query, no write), for the MAX_OUTLET_SERIES outlets longest without a
sync, so the number of series stays bounded however large the network grows. Every label
takes its values from a closed set (route templates, protocol codes, job ids), never from
a request's raw path or a person.

Exposed (docs/operations.md) on the hub's own port at /metrics with a bearer token
(FIELDSYNC_METRICS_TOKEN; without one, /metrics there is 404), or unauthenticated on a
separate address (`hub serve --metrics-port`, bound to 127.0.0.1 unless told)."""
import hmac
import re
import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

MAX_OUTLET_SERIES = 200
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_SIZES = (256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304)
_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("fieldsync_hub_requests", "HTTP requests by endpoint (route template) and status",
                   ("endpoint", "method", "status"), registry=REGISTRY)
REQUEST_SECONDS = Histogram("fieldsync_hub_request_seconds", "HTTP request latency by endpoint",
                            ("endpoint",), buckets=_SECONDS, registry=REGISTRY)
PUSH_BYTES = Histogram("fieldsync_hub_push_bytes", "size of pushed segments as received (bytes)",
                       buckets=_SIZES, registry=REGISTRY)
PULL_BYTES = Histogram("fieldsync_hub_pull_bytes", "size of pull answers (bytes)", buckets=_SIZES,
                       registry=REGISTRY)
OPS_APPLIED = Counter("fieldsync_hub_ops_applied", "ops of pushed changes the hub applied", registry=REGISTRY)
OPS_REFUSED = Counter("fieldsync_hub_ops_refused", "ops of pushed changes the hub refused, by refusal code",
                      ("code",), registry=REGISTRY)
ENROLLMENTS = Counter("fieldsync_hub_enrollments", "nodes enrolled", registry=REGISTRY)
FORK_ALERTS = Counter("fieldsync_hub_fork_alerts", "fork alerts raised (a node pushed from an old copy)",
                      registry=REGISTRY)
REVOCATIONS = Counter("fieldsync_hub_revocations", "nodes revoked", registry=REGISTRY)
JOB_RUNS = Counter("fieldsync_hub_job_runs", "scheduled job runs by job and outcome (ok, failed)",
                   ("job", "outcome"), registry=REGISTRY)
STORE_SECONDS = Histogram("fieldsync_hub_store_seconds", "time in the store (worker thread) by work",
                          ("work",), buckets=_SECONDS, registry=REGISTRY)


def code_label(code) -> str:
    """A protocol or refusal code as a label; anything else is `other` (labels stay few)."""
    return code if isinstance(code, str) and _CODE.match(code) else "other"


class _OutletSeries:
    """Per-outlet gauges read at scrape time: how long since the outlet's freshest active
    node last synced, and how many changes its nodes reported not yet sent."""

    def __init__(self, hub, now=lambda: int(time.time() * 1000)):
        self.hub, self.now = hub, now

    def collect(self):
        age = GaugeMetricFamily("fieldsync_outlet_last_sync_age_seconds",
                                "seconds since the outlet's most recent sync (its freshest active node)",
                                labels=("outlet",))
        pending = GaugeMetricFamily("fieldsync_outlet_pending_changes",
                                    "changes the outlet's nodes reported not yet sent (their last hello)",
                                    labels=("outlet",))
        nodes = GaugeMetricFamily("fieldsync_nodes", "enrolled nodes by status", labels=("status",))
        now = self.now()
        for outlet, last, waiting in self.hub.outlet_sync_summary(MAX_OUTLET_SERIES):
            if last is not None:
                age.add_metric((outlet,), max(0, now - last) / 1000)
            pending.add_metric((outlet,), waiting or 0)
        for status, count in self.hub.node_counts().items():
            nodes.add_metric((status,), count)
        yield from (age, pending, nodes)


class _Everything:
    def __init__(self, hub):
        self.outlets = _OutletSeries(hub)

    def collect(self):
        yield from REGISTRY.collect()
        yield from self.outlets.collect()


def registry_for(hub) -> CollectorRegistry:
    """The process's counters with this hub's per-outlet gauges, as one scrape shows them."""
    reg = CollectorRegistry(auto_describe=False)
    reg.register(_Everything(hub))
    return reg


def exposition(registry: CollectorRegistry) -> tuple[bytes, str]:
    return generate_latest(registry), CONTENT_TYPE_LATEST


def token_ok(authorization: str | None, token: str | None) -> bool:
    """`Authorization: Bearer <token>` against FIELDSYNC_METRICS_TOKEN (constant time)."""
    if not token or not authorization or not authorization.lower().startswith("bearer "):
        return False
    return hmac.compare_digest(authorization[7:].strip().encode(), token.encode())


def serve_separately(registry: CollectorRegistry, host: str, port: int):
    """The metrics alone on HOST:PORT (plain HTTP, for a scraper on a private network);
    returns the server, whose `shutdown()` stops it."""
    from prometheus_client import start_http_server
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return server
