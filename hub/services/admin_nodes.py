"""The outlets' devices as HQ sees them: enrolled nodes with their chain position and
when they last pushed, one-time enrollment codes (with a QR a tablet's camera reads),
revocation, and fork alerts (a node restored from an old copy) that an admin marks
resolved. The one path for these actions, whichever front end calls it (HQ's web UI, the
CLI, the admin API): the role check, the input checks, the write through the hub store's
node methods and one audit row naming the actor. An enrollment code is a secret until
used: it is returned to the admin and never written to the audit."""
import io
from dataclasses import dataclass

from shared.errors import ServiceError
from shared.labels import pair
from shared.release import APP_VERSION
from shared.roles import HqWork
from sync import change
from sync.enrollment import encode_code

from hub import metrics
from hub.services.session import HubSession

DEFAULT_URL = "https://127.0.0.1:8443"


@dataclass(frozen=True)
class EnrollCode:
    code: str
    outlet_id: str
    outlet_code: str
    outlet_name: str
    url: str
    expires_at: int

    def qr_png(self, scale: int = 5) -> bytes:
        """The code as a QR image (PNG) for the node's enrollment screen to scan."""
        import segno
        buf = io.BytesIO()
        segno.make(self.code, error="l").save(buf, kind="png", scale=scale, border=2)
        return buf.getvalue()


@dataclass(frozen=True, slots=True)
class NodeRow:
    """An enrolled device with its outlet, chain position and open fork alerts."""
    node_id: str
    name: str                 # its name, else its id
    outlet_id: str | None
    outlet_code: str
    outlet_name: str
    letter: str
    status: str               # active | revoked
    epoch: int
    seq: int
    enrolled_at: int | None
    last_seen_at: int | None
    open_forks: int
    app_version: str          # the release it said it runs ("" before it said)
    schema: int | None
    behind: bool              # older than HQ's release: it cannot show what is newer

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class ForkAlert:
    """A node that pushed from an older copy of itself (restored from a backup)."""
    id: int
    node_id: str
    node_name: str            # its name, else its id
    outlet_code: str
    at: int
    epoch: int                # the epoch it pushed from
    node_epoch: int | None    # the node's epoch now
    resolved: bool


class Nodes:
    def __init__(self, ctx):
        self.ctx = ctx
        self.url = DEFAULT_URL
        self.cert_sha256: str | None = None

    def configure(self, url: str | None = None, cert_sha256: str | None = None) -> None:
        """Where nodes reach this hub and the TLS certificate they pin (set by `hub serve`)."""
        if url:
            self.url = url
        self.cert_sha256 = cert_sha256

    def nodes(self, session: HubSession) -> list[NodeRow]:
        """Every enrolled node with its outlet, release (`behind`: older than HQ's) and open
        fork alerts, newest first."""
        self.ctx.allow(session, HqWork.ADMIN)
        return [NodeRow(n["node_id"], n["name"] or n["node_id"], n["outlet_id"], n["outlet_code"] or "",
                        n["outlet_name"] or "", n["letter"] or "", n["status"], n["epoch"], n["seq"],
                        n["enrolled_at"], n["last_seen_at"], n["open_forks"], n["app_version"] or "",
                        n["schema"], behind(n)) for n in self.ctx.hub.node_list()]

    def enroll_code(self, session: HubSession, outlet_id: str | None = None, url: str | None = None, *,
                    outlet_code: str | None = None) -> EnrollCode:
        """A one-time code (24 h) for a new node of an active outlet, named by its id (the
        UI) or its code (the CLI, the admin API)."""
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        url = (url or "").strip() or self.url
        if not url.startswith(("https://", "http://")):
            raise ServiceError.of("bad_choice", field="url", what=("服务器地址", "server address"))
        with ctx.tx():
            outlet = ctx.row("outlets", outlet_id or "") if outlet_code is None else \
                ctx.one("SELECT * FROM outlets WHERE code = ?", (outlet_code.strip().upper(),))
            if outlet is None or not outlet.get("active"):
                raise ServiceError.of("outlet_unknown", field="outlet")
            token = ctx.hub.create_enroll_token(outlet["id"])
            code = encode_code(url, ctx.hub.hub_id, self.cert_sha256, token)
            ctx.audit(session, "enroll_code_created", outlet["id"], outlet["code"])
        return EnrollCode(code, outlet["id"], outlet["code"], outlet.get("name") or "", url,
                          ctx.hub.enroll_token_expiry(token))

    def revoke(self, session: HubSession, node_id: str) -> None:
        """Stop a node: its next signed request is refused (403 `revoked`)."""
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        with ctx.tx():
            node = ctx.hub.node(node_id or "")
            if node is None:
                raise ServiceError.of("not_found", thing=pair("hq_rule", "node"))
            if not ctx.hub.revoke_node(node_id, ctx.now()):
                raise ServiceError.of("node_revoked")
            ctx.audit(session, "node_revoked", node_id)
        metrics.REVOCATIONS.inc()

    def forks(self, session: HubSession, *, open_only: bool = True) -> list[ForkAlert]:
        self.ctx.allow(session, HqWork.ADMIN)
        return [ForkAlert(f["id"], f["node_id"], f["node_name"] or f["node_id"], f["outlet_code"] or "", f["at"],
                          f["epoch"], f["node_epoch"], bool(f["resolved"]))
                for f in self.ctx.hub.fork_alerts(open_only)]

    def resolve_fork(self, session: HubSession, alert_id: int) -> None:
        """Mark a fork alert handled (HQ looked at the restored node and its new epoch)."""
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        with ctx.tx():
            if ctx.hub.fork_alert(alert_id) is None:
                raise ServiceError.of("not_found", thing=pair("hq_rule", "fork"))
            if not ctx.hub.resolve_fork_alert(alert_id):
                raise ServiceError.of("fork_resolved")
            ctx.audit(session, "fork_resolved", str(alert_id))


def behind(node: dict) -> bool:
    """The node runs an older release than HQ (as it said at enrollment or in its last
    hello): during a rollout HQ upgrades its changes, but it cannot show what its release
    does not know, so HQ's device list flags it."""
    schema, version = node.get("schema"), _version_tuple(node.get("app_version"))
    return (isinstance(schema, int) and schema < change.SCHEMA) or \
        (version is not None and version < _version_tuple(APP_VERSION))


def _version_tuple(text) -> tuple[int, ...] | None:
    parts = str(text or "").split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None
