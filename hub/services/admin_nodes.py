"""The outlets' devices as HQ sees them: enrolled nodes with their chain position and
when they last pushed, one-time enrollment codes (with a QR a tablet's camera reads),
revocation, and fork alerts (a node restored from an old copy) that an admin marks
resolved. Thin over hub/admin.py, which the CLI and the admin API use too; this layer adds
the role check, input checks and the audit. An enrollment code is a secret until used: it
is returned to the admin and never written to the audit."""
import io
from dataclasses import dataclass

from shared.errors import ServiceError
from shared.labels import pair
from shared.roles import HqWork
from sync.enrollment import decode_code
from sync.hub_store import token_hash

from hub import admin as hub_admin
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
        """Every enrolled node with its outlet and open fork alerts, newest first."""
        self.ctx.allow(session, HqWork.ADMIN)
        return [NodeRow(n["node_id"], n["name"] or n["node_id"], n["outlet_id"], n["outlet_code"] or "",
                        n["outlet_name"] or "", n["letter"] or "", n["status"], n["epoch"], n["seq"],
                        n["enrolled_at"], n["last_seen_at"], n["open_forks"]) for n in self.ctx.query(
            "SELECT n.node_id, n.outlet_id, n.name, n.letter, n.status, n.epoch, n.seq,"
            " n.enrolled_at, n.last_seen_at, o.code AS outlet_code, o.name AS outlet_name,"
            " (SELECT COUNT(*) FROM fork_alerts f WHERE f.node_id = n.node_id AND f.resolved = 0) AS open_forks"
            " FROM nodes n LEFT JOIN outlets o ON o.id = n.outlet_id ORDER BY n.enrolled_at DESC")]

    def enroll_code(self, session: HubSession, outlet_id: str, url: str | None = None) -> EnrollCode:
        """A one-time code (24 h) for a new node of an active outlet."""
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        outlet = ctx.row("outlets", outlet_id or "")
        if outlet is None or not outlet.get("active"):
            raise ServiceError.of("outlet_unknown", field="outlet")
        url = (url or "").strip() or self.url
        if not url.startswith(("https://", "http://")):
            raise ServiceError.of("bad_choice", field="url", what=("服务器地址", "server address"))
        with ctx.tx():
            code = hub_admin.enroll_code(ctx.hub, outlet["code"], url, self.cert_sha256)
            expires = ctx.scalar("SELECT expires_at FROM enroll_tokens WHERE token_hash = ?",
                                 (token_hash(decode_code(code)["token"]),))
            ctx.audit(session, "enroll_code_created", outlet_id, outlet["code"])
        return EnrollCode(code, outlet_id, outlet["code"], outlet.get("name") or "", url, expires)

    def revoke(self, session: HubSession, node_id: str) -> None:
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        node = ctx.one("SELECT status FROM nodes WHERE node_id = ?", (node_id,))
        if node is None:
            raise ServiceError.of("not_found", thing=pair("hq_rule", "node"))
        if node["status"] == "revoked":
            raise ServiceError.of("node_revoked")
        with ctx.tx():
            hub_admin.revoke(ctx.hub, node_id)
            ctx.audit(session, "node_revoked", node_id)

    def forks(self, session: HubSession, *, open_only: bool = True) -> list[ForkAlert]:
        self.ctx.allow(session, HqWork.ADMIN)
        return [ForkAlert(f["id"], f["node_id"], f["node_name"] or f["node_id"], f["outlet_code"] or "", f["at"],
                          f["epoch"], f["node_epoch"], bool(f["resolved"])) for f in self.ctx.query(
            "SELECT f.id, f.node_id, f.at, f.epoch, f.resolved, n.name AS node_name, n.epoch AS node_epoch,"
            " o.code AS outlet_code FROM fork_alerts f LEFT JOIN nodes n ON n.node_id = f.node_id"
            " LEFT JOIN outlets o ON o.id = n.outlet_id"
            + (" WHERE f.resolved = 0" if open_only else "") + " ORDER BY f.at DESC")]

    def resolve_fork(self, session: HubSession, alert_id: int) -> None:
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        alert = ctx.one("SELECT resolved FROM fork_alerts WHERE id = ?", (alert_id,))
        if alert is None:
            raise ServiceError.of("not_found", thing=pair("hq_rule", "fork"))
        if alert["resolved"]:
            raise ServiceError.of("fork_resolved")
        with ctx.tx():
            hub_admin.resolve_fork(ctx.hub, alert_id)
            ctx.audit(session, "fork_resolved", str(alert_id))
