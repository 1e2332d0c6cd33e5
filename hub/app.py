"""The hub's HTTP API: docs/protocol.md's endpoints under /api/v1, thin over sync.hub_handlers,
plus the admin API. Every error leaves in the protocol's shape
{"error": {"code", "message"}} with its status."""
import asyncio
import contextvars
import dataclasses
import functools
import os
import time

from pathlib import Path
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from hub import admin_files, device_admin, metrics
from hub.admin_gate import AdminGate
from hub.blobs import BlobStore, blob_store_for
from hub.observed import Observed
from hub.home import HubHome
from hub.services.session import HubSession
from shared.errors import ServiceError
from shared.health import Check, add_health_routes
from shared.jsonlog import NODE_ID
from shared.client_limits import BODY_TIMEOUT_S
from sync import hub_handlers, http_sig, keys, recovery, segment
from sync.canonical import canonical_bytes, loads_untrusted
from sync.errors import BadRequest, BadSignature, Forbidden, SyncError, TooLarge, UnknownNode
from sync.health import store_checks
from sync.hub_store import HubStore

API = "/api/v1"
MAX_BODY = segment.MAX_BYTES + 64 * 1024


def _error(status: int, code: str, message: str, **extra) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}, **extra}, status_code=status)


async def read_body(request: Request, limit: int) -> bytes:
    """The body as sent, refused with 413 as soon as it passes `limit`."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise TooLarge(f"request body is larger than {limit} bytes")
    chunks, size = [], 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT_S):  # a stalled body does not hold its request for ever
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"request body is larger than {limit} bytes")
                chunks.append(chunk)
    except ClientDisconnect:  # the connection dropped mid-body: nothing to apply, nobody to answer
        raise BadRequest("the request body ended before its end") from None
    except TimeoutError:
        raise BadRequest(f"the request body did not arrive within {BODY_TIMEOUT_S} s") from None
    return b"".join(chunks)


METRICS_TOKEN_ENV = "FIELDSYNC_METRICS_TOKEN"


def create_app(hub: HubStore, home: HubHome | None = None, blobs: BlobStore | None = None,
               services=None, public_url: str | None = None, jobs=None, life=None) -> FastAPI:
    """The sync API and the admin API; with `services` (hub.services.HubServices) also HQ's
    web UI under /hq, which needs Flet's app manager running (flet's FastAPI subclass).
    `public_url`: where nodes reach this hub, for the codes it issues without `services`
    (which carry their own configuration). `jobs` (hub.jobs.HubJobs): the scheduled jobs
    this process runs, which /readyz checks (None: this process runs none). `life`
    (shared.session_life.SessionLife): HQ's idle timeout (None: the default). Health,
    metrics and request logs: docs/operations.md."""
    if services is not None:
        from flet.fastapi import FastAPI as FletFastAPI
        app_class = FletFastAPI
    else:
        app_class = FastAPI
    app = app_class(title="fieldsync hub", version="1", openapi_url=f"{API}/openapi.json",
                    docs_url=f"{API}/docs", redoc_url=None)
    app.state.hub = hub
    app.state.metrics = metrics.registry_for(hub)
    hub_services = _services_of(hub, home, services, public_url)
    app.state.hub_services = hub_services  # HQ's services of this process (one login throttle)
    app.add_middleware(AdminGate, login=lambda *a, **kw: hub_services().auth.admin_login(*a, **kw))
    app.add_middleware(Observed)  # outermost: it sees the gate's refusals too
    blobs = blobs or blob_store_for(hub, home.blobs if home else Path(hub.path + ".blobs"))
    if services is not None:
        services.order_files.use_blobs(blobs)  # the full record shows the attachments HQ holds

    def readiness_checks() -> list[Check]:
        return [*store_checks(hub), jobs_check(jobs)]

    add_health_routes(app, readiness_checks)

    @app.get("/metrics", include_in_schema=False)
    async def metrics_page(request: Request):
        """Prometheus text; only with the bearer token (else as absent as any unknown path)."""
        if not metrics.token_ok(request.headers.get("authorization"), os.environ.get(METRICS_TOKEN_ENV)):
            return _error(404, "not_found", "Not Found")
        body, content_type = await run_timed("metrics", metrics.exposition, app.state.metrics)
        return Response(body, media_type=content_type)

    @app.exception_handler(SyncError)
    async def sync_error(request: Request, exc: SyncError):
        request.state.outcome = exc.code
        retry = getattr(exc, "retry_after", None)
        return JSONResponse(exc.body(), status_code=exc.status,
                            headers={"Retry-After": str(retry)} if retry else None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(400, "bad_request", f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_request")
        return _error(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def internal_error(_request, exc: Exception):
        return _error(500, "internal", "HQ hit an unexpected error; nothing was applied")

    def run(fn, *args):
        """Store work runs in a worker thread so the event loop keeps serving (with the
        request's log context), its time counted by the work's name."""
        return run_timed(getattr(fn, "__name__", "other"), fn, *args)

    async def authenticate(request: Request, body: bytes) -> str:
        node_id = await authenticate_head(request, signs_body=bool(body))
        if body:
            http_sig.check_digest(request.headers, body)
        return node_id

    async def authenticate_head(request: Request, *, signs_body: bool) -> str:
        """The signer known, not revoked, and its signature good over the headers (the
        Content-Digest as declared): a stranger's upload is refused before its body is read."""
        node_id = http_sig.signer_of(request.headers)
        node = hub.node(node_id)
        request.state.node_id = node_id if node is not None else None
        NODE_ID.set(request.state.node_id)
        if node is None:
            raise UnknownNode(f"no enrolled node {node_id!r}")
        http_sig.verify_head(node["public_key"], request.method, request.url.path, request.url.query,
                             request.headers, signs_body=signs_body)
        hub_handlers.authenticated(hub, node_id)  # revoked → 403
        return node_id

    async def authenticated_body(request: Request, limit: int) -> tuple[str, bytes]:
        """(signer, body) of an upload, the signature checked before the body is read."""
        declared = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
        node_id = await authenticate_head(request, signs_body=declared)
        raw = await read_body(request, limit)
        if declared:
            http_sig.check_digest(request.headers, raw)
        return node_id, raw

    async def json_body(request: Request, limit: int = 64 * 1024) -> tuple[bytes, dict]:
        raw = await read_body(request, limit)
        try:
            data = loads_untrusted(raw)
        except ValueError as exc:
            raise BadRequest(f"the body is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise BadRequest("the body must be a JSON object")
        return raw, data

    @app.post(f"{API}/enroll", status_code=201, tags=["sync"])
    async def enroll(request: Request):
        """Enroll a node with a one-time token (no request signature)."""
        _, data = await json_body(request)
        enrolled = await run(hub_handlers.enroll, hub, data)
        metrics.ENROLLMENTS.inc()
        request.state.node_id = enrolled["node_id"]
        return JSONResponse(enrolled, status_code=201)

    @app.get(f"{API}/sync/hello", tags=["sync"])
    async def hello(request: Request, app_version: str | None = None, schema: int | None = None,
                    pending: int | None = None, node_time: int | None = None):
        """What the hub holds of this node's chain and of each of its buckets; the node may
        say which release and schema it runs (HQ's device list shows who is behind), how
        many changes it has not sent and its clock (HQ's network screen)."""
        node_id = await authenticate(request, b"")
        return await run(hub_handlers.hello, hub, node_id, app_version, schema, pending, node_time)

    @app.post(f"{API}/sync/push", tags=["sync"])
    async def push(request: Request):
        """A signed segment of this node's changes (NDJSON, optionally gzip)."""
        node_id, raw = await authenticated_body(request, MAX_BODY)
        metrics.PUSH_BYTES.observe(len(raw))
        encoding = (request.headers.get("content-encoding") or "").lower()
        if encoding == "gzip":
            raw = segment.inflate(raw)
        elif encoding not in ("", "identity"):
            raise BadRequest(f"unsupported Content-Encoding {encoding!r}")
        tally: dict = {}
        try:
            result = await run(hub_handlers.push, hub, node_id, raw, tally)
        finally:
            metrics.FORK_ALERTS.inc(tally.get("fork_alerts", 0))
        refused = result.get("rejected") or []
        for r in refused:
            metrics.OPS_REFUSED.labels(metrics.code_label(r.get("code"))).inc()
        metrics.OPS_APPLIED.inc(max(0, tally.get("ops", 0) - len(refused)))
        return result

    @app.post(f"{API}/sync/handback", tags=["sync"])
    async def handback(request: Request):
        """HQ's own bucket changes handed back by a node after HQ was restored from a backup
        (NDJSON, optionally gzip; docs/protocol.md "Hand-back")."""
        node_id, raw = await authenticated_body(request, MAX_BODY)
        encoding = (request.headers.get("content-encoding") or "").lower()
        if encoding == "gzip":
            raw = segment.inflate(raw)
        elif encoding not in ("", "identity"):
            raise BadRequest(f"unsupported Content-Encoding {encoding!r}")
        return await run(recovery.receive, hub, node_id, raw)

    @app.get(f"{API}/sync/pull", tags=["sync"])
    async def pull(request: Request, bucket: str, after: int = 0, limit: int = hub_handlers.MAX_PULL):
        """The hub's signed changes of one bucket after a seq (NDJSON)."""
        node_id = await authenticate(request, b"")
        body = await run(hub_handlers.pull, hub, node_id, bucket, after, limit)
        metrics.PULL_BYTES.observe(len(body))
        return Response(body, media_type="application/x-ndjson")

    @app.put(f"{API}/blobs/{{sha256}}", tags=["blobs"])
    async def put_blob(request: Request, sha256: str):
        """Upload an attachment by its content hash; re-sending is harmless."""
        _, raw = await authenticated_body(request, blobs.max_size)
        created = await run(blobs.put, sha256, raw)
        return JSONResponse({"sha256": sha256, "size": len(raw), "created": created},
                            status_code=201 if created else 200)

    @app.get(f"{API}/blobs/{{sha256}}", tags=["blobs"])
    async def get_blob(request: Request, sha256: str):
        """An attachment of one of this node's rows; another outlet's is as absent as none."""
        node_id = await authenticate(request, b"")
        data = await run(blobs.get, sha256)  # first: a malformed name is a 400
        if data is None or not await run(hub_handlers.may_read_blob, hub, node_id, sha256):
            return _error(404, "not_found", "no such blob")
        return Response(data, media_type="application/octet-stream")

    @app.head(f"{API}/blobs/{{sha256}}", tags=["blobs"])
    async def has_blob(request: Request, sha256: str):
        """Whether HQ already holds a blob, so a node never uploads one twice."""
        await authenticate(request, b"")
        return Response(status_code=200 if await run(blobs.has, sha256) else 404)

    @app.post(f"{API}/nodes/rotate", tags=["sync"])
    async def rotate(request: Request):
        """Replace this node's key; signed by the old key twice (request and body)."""
        raw, data = await json_body(request)
        node_id = await authenticate(request, raw)
        return await run(rotate_key, hub, node_id, data)

    administration = _admin_routes(app, hub, hub_services)

    @app.post(f"{API}/devices/codes", status_code=201, tags=["devices"])
    async def device_code(request: Request):
        """A device code for one technician of the calling outlet node's outlet."""
        raw, data = await json_body(request)
        node_id = await authenticate(request, raw)
        base = f"{request.url.scheme}://{request.url.netloc}"
        out = await run(device_admin.issue_code, administration().nodes, node_id, data, base)
        return JSONResponse(out, status_code=201)

    @app.get(f"{API}/devices", tags=["devices"])
    async def devices(request: Request):
        """The technician devices of the calling outlet node's outlet."""
        node_id = await authenticate(request, b"")
        return await run(device_admin.outlet_devices, administration().nodes, node_id)

    @app.post(f"{API}/devices/{{device_id}}/retire", tags=["devices"])
    async def retire_device(request: Request, device_id: str):
        """Retire one of the calling outlet node's devices (revoked, as by HQ)."""
        raw = await read_body(request, 1024)
        node_id = await authenticate(request, raw)
        return await run(device_admin.retire, administration().nodes, node_id, device_id)

    if services is not None:
        from hub.ui import mount_ui
        mount_ui(app, services, life=life)  # last: it serves every path under /hq
    return app


async def run_timed(work: str, fn, *args):
    """`fn(*args)` on a worker thread with the caller's context (request id, node id),
    its time in fieldsync_hub_store_seconds{work}."""
    ctx = contextvars.copy_context()

    def timed():
        started = time.perf_counter()
        try:
            return ctx.run(fn, *args)
        finally:
            metrics.STORE_SECONDS.labels(work).observe(time.perf_counter() - started)
    return await asyncio.get_running_loop().run_in_executor(None, timed)


def jobs_check(jobs) -> Check:
    """Readiness of the scheduled jobs: who runs them is known — this process (its
    scheduler running) or none here (`--no-ui`: another process runs them)."""
    if jobs is None:
        return Check("jobs", True, "not run by this process")
    leader = jobs.leader()
    return Check("jobs", leader is not None, f"leader: {leader}" if leader else "the scheduler is not running")


def rotate_key(hub: HubStore, node_id: str, data: dict) -> dict:
    rotation, sig = data.get("rotation"), data.get("sig")
    if not isinstance(rotation, dict) or not isinstance(sig, str) \
            or not isinstance(rotation.get("new_public_key"), str):
        raise BadRequest("rotate needs {rotation: {node_id, new_public_key, at}, sig}")
    if rotation.get("node_id") != node_id:
        raise BadSignature("a rotation must name the node that signs it")
    node = hub.node(node_id)
    keys.verify(node["public_key"], keys.ROTATE, canonical_bytes(rotation), sig)
    keys.public_key(rotation["new_public_key"])
    hub.set_node_key(node_id, rotation["new_public_key"])
    return {"node_id": node_id, "public_key": rotation["new_public_key"]}


def _admin_session(_hub: HubStore, request: Request) -> HubSession:
    """The HQ admin this admin API request logged in as: hub/admin_gate.py checked HTTP
    Basic from the request's head (throttled, audited) before any route or body."""
    session = getattr(request.state, "admin", None)
    if not isinstance(session, HubSession):  # only a route outside the gate's prefix
        raise Forbidden("the admin API is served under /api/v1/admin only")
    return session


def _lang(request: Request) -> str:
    return "en" if (request.headers.get("accept-language") or "").lower().startswith("en") else "zh"


# The status of an administration refusal; any other is 400 (bad input).
REFUSAL_STATUS = {"not_found": 404, "outlet_unknown": 404, "outlet_code_taken": 409, "username_taken": 409,
                  "technician_unknown": 404, "node_unknown": 404, "forbidden": 403, "node_revoked": 409,
                  "fork_resolved": 409, "role_forbidden": 403, "user_inactive": 403, "relogin": 403,
                  "import_entity": 404}


def _services_of(hub: HubStore, home: HubHome | None, services, public_url: str | None):
    """The function that gives this process's HubServices: HQ's web UI's, or (a hub served
    without it, --no-ui) one made at first use. One per process, so HQ's web UI and the
    admin API share one login throttle."""
    @functools.cache
    def hub_services():
        if services is not None:
            return services
        from hub.services import HubServices
        made = HubServices(hub)
        made.admin.nodes.configure(url=public_url, cert_sha256=home.fingerprint() if home else None)
        return made
    return hub_services


def _admin_routes(app: FastAPI, hub: HubStore, hub_services):
    """The admin API over the administration services (hub/services/admin_*.py): the same
    checks, writes and audit as HQ's web UI, acting as the HTTP Basic admin the gate let in
    (hub/admin_gate.py: authenticated from the head, body bounded, before any route).
    Returns the function that gives those services (the device routes use them too)."""
    A = f"{API}/admin"

    def administration():
        return hub_services().admin

    @app.exception_handler(ServiceError)
    async def refused(request: Request, exc: ServiceError):
        request.state.outcome = exc.code
        return _error(REFUSAL_STATUS.get(exc.code, 400), exc.code, exc.message(_lang(request)))

    def body_text(body: dict, key: str) -> str:
        value = body.get(key, "")
        if not isinstance(value, str):
            raise BadRequest(f"{key} must be a string")
        return value

    @app.get(f"{A}/outlets", tags=["admin"])
    def outlets(request: Request):
        return administration().network.outlets(_admin_session(hub, request))

    @app.post(f"{A}/outlets", tags=["admin"], status_code=201)
    def add_outlet(request: Request, body: dict):
        me = _admin_session(hub, request)
        oid = administration().network.save_outlet(
            me, **{k: body_text(body, k) for k in ("code", "name", "region", "city")})
        return JSONResponse({"id": oid}, status_code=201)

    @app.get(f"{A}/users", tags=["admin"])
    def users(request: Request, outlet: str | None = None, role: str | None = None):
        """Users without their hashes (only whether a password / PIN is set)."""
        me = _admin_session(hub, request)
        network = administration().network
        return network.users(me, outlet_id=network.outlet_id_of(outlet) if outlet else None, role=role)

    @app.post(f"{A}/users", tags=["admin"], status_code=201)
    def add_user(request: Request, body: dict):
        """A new user; `password` empty or left out: one is generated and returned once.
        `outlet`: the outlet's code, for outlet roles; `pin`: an outlet user's PIN."""
        me = _admin_session(hub, request)
        network = administration().network
        outlet = body_text(body, "outlet")
        uid, generated = network.create_user(
            me, username=body_text(body, "username"), display_name=body_text(body, "display_name"),
            role=body_text(body, "role"), outlet_id=network.outlet_id_of(outlet) if outlet else None,
            phone=body_text(body, "phone"), password=body_text(body, "password") or None,
            pin=body_text(body, "pin") or None)
        return JSONResponse({"id": uid, "password": generated}, status_code=201)

    @app.post(f"{A}/enroll-codes", tags=["admin"], status_code=201)
    def enroll_code(request: Request, body: dict):
        me = _admin_session(hub, request)
        url = body_text(body, "url") or f"{request.url.scheme}://{request.url.netloc}"
        code = administration().nodes.enroll_code(me, url=url, outlet_code=body_text(body, "outlet"))
        return JSONResponse({"code": code.code, "expires_at": code.expires_at}, status_code=201)

    @app.get(f"{A}/nodes", tags=["admin"])
    def nodes(request: Request):
        return administration().nodes.nodes(_admin_session(hub, request))

    @app.post(f"{A}/nodes/{{node_id}}/revoke", tags=["admin"])
    def revoke(request: Request, node_id: str):
        administration().nodes.revoke(_admin_session(hub, request), node_id)
        return {"node_id": node_id, "status": "revoked"}

    @app.get(f"{A}/sync-health", tags=["admin"])
    def sync_health(request: Request, region: str | None = None, format: str = "json"):
        """网点同步状态: every active node, longest without a sync first (docs/operations.md);
        `format=csv` downloads the same as HQ's screen exports."""
        me = _admin_session(hub, request)
        if format == "csv":
            name, data = hub_services().sync_health.export_csv(me, region)
            return Response(data, media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}"'})
        board = hub_services().sync_health.board(me, region)
        return {"silent_hours": board.silent_hours, "silent": board.silent_count, "behind": board.behind_count,
                "nodes": board.rows, "notices": board.notices}

    @app.get(f"{A}/forks", tags=["admin"])
    def forks(request: Request):
        return administration().nodes.forks(_admin_session(hub, request))

    @app.get(f"{A}/restore-report", tags=["admin"])
    def restore_report_route(request: Request):
        """After HQ was restored from a backup: what the nodes gave back, what is lost."""
        return dataclasses.asdict(administration().nodes.restore_report(_admin_session(hub, request)))

    @app.post(f"{A}/forks/{{alert_id}}/resolve", tags=["admin"])
    def resolve_fork(request: Request, alert_id: int):
        administration().nodes.resolve_fork(_admin_session(hub, request), alert_id)
        return {"id": alert_id, "resolved": True}

    admin_files.add_routes(app, A, hub_services, lambda request: _admin_session(hub, request), _lang)

    return administration
