"""The outlets' devices as HQ sees them: enrolled nodes with their chain position and
when they last pushed, one-time enrollment codes (with a QR a tablet's camera reads),
revocation, and fork alerts (a node restored from an old copy) that an admin marks
resolved. The one path for these actions, whichever front end calls it (HQ's web UI, the
CLI, the admin API): the role check, the input checks, the write through the hub store's
node methods and one audit row naming the actor. An enrollment code is a secret until
used: it is returned to the admin and never written to the audit.

An outlet's PC administers its own outlet's devices through the same path
(docs/protocol.md "Device administration"): a device code for one of its technicians, the
outlet's devices, retiring one. There the actor is the outlet node (audited `node:<id>`),
and the checks are the node's kind and outlet instead of a role."""
import io
from dataclasses import dataclass

from shared.errors import ServiceError
from shared.labels import pair
from shared.messages import MESSAGES
from shared.release import APP_VERSION
from shared.roles import HqWork, Role
from sync import change
from sync.enrollment import encode_code
from sync.hub_store import token_hash

from hub.services.restore_report import RestoreReport, restore_report
from hub import metrics
from hub.services.session import HubSession

DEFAULT_URL = "https://127.0.0.1:8443"
NODE_ACTOR = "node:"  # the audit's actor prefix for an outlet node administering its devices


@dataclass(frozen=True)
class EnrollCode:
    code: str
    outlet_id: str
    outlet_code: str
    outlet_name: str
    url: str
    expires_at: int
    technician_id: str | None = None  # a device code: the device is bound to this technician

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
    kind: str = "outlet"      # outlet (the outlet's PC) | device (a technician's tablet or phone)
    technician_id: str | None = None
    technician_name: str = ""  # the device's technician, by name
    pending: int | None = None  # changes it had not synced at its last hello

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class DeviceRow:
    """One of an outlet's technician devices, as its outlet manager sees it."""
    node_id: str
    name: str
    technician_id: str | None
    status: str               # active | revoked
    enrolled_at: int | None
    last_seen_at: int | None
    pending: int | None       # changes it had not synced at its last hello (None: not said yet)
    app_version: str

    def as_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}


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
        self.url: str | None = None  # None: not configured (DEFAULT_URL, or the request's)
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
                        n["schema"], behind(n), n["kind"] or "outlet", n["technician_id"],
                        n["technician_name"] or n["technician_id"] or "", n["pending"])
                for n in self.ctx.hub.node_list()]

    def enroll_code(self, session: HubSession, outlet_id: str | None = None, url: str | None = None, *,
                    outlet_code: str | None = None) -> EnrollCode:
        """A one-time code (24 h) for a new node of an active outlet, named by its id (the
        UI) or its code (the CLI, the admin API)."""
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        with ctx.tx():
            outlet = ctx.row("outlets", outlet_id or "") if outlet_code is None else \
                ctx.one("SELECT * FROM outlets WHERE code = ?", (outlet_code.strip().upper(),))
            if outlet is None or not outlet.get("active"):
                raise ServiceError.of("outlet_unknown", field="outlet")
            return self._issue(session, outlet, url)

    def _issue(self, actor: HubSession, outlet: dict, url: str | None,
               technician_id: str | None = None) -> EnrollCode:
        """The one write of a code (inside the caller's transaction): the token, its code
        text (HQ's URL and certificate pin) and the audit row naming the actor."""
        ctx = self.ctx
        url = (url or "").strip() or self.url or DEFAULT_URL
        if not url.startswith(("https://", "http://")):
            raise ServiceError.of("bad_choice", field="url", what=("服务器地址", "server address"))
        token = ctx.hub.create_enroll_token(outlet["id"], technician_id=technician_id)
        code = encode_code(url, ctx.hub.hub_id, self.cert_sha256, token)
        ctx.audit(actor, "device_code_created" if technician_id else "enroll_code_created", outlet["id"],
                  technician_id or outlet["code"])
        expires_at = ctx.scalar("SELECT expires_at FROM enroll_tokens WHERE token_hash = ?", (token_hash(token),))
        return EnrollCode(code, outlet["id"], outlet["code"], outlet.get("name") or "", url, expires_at,
                          technician_id)

    # ---- an outlet's PC administering its outlet's devices ----

    def device_code(self, caller_node_id: str, technician_id: str, url: str | None = None) -> EnrollCode:
        """A one-time code (24 h) that enrolls a device bound to one active technician of
        the calling outlet node's outlet."""
        ctx = self.ctx
        with ctx.tx():
            caller = self._outlet_node(caller_node_id)
            tech = ctx.row("users", technician_id) if isinstance(technician_id, str) and technician_id else None
            if tech is None or not tech.get("active") or tech.get("outlet_id") != caller["outlet_id"] \
                    or tech.get("role") != Role.TECHNICIAN:
                raise ServiceError.of("technician_unknown", field="technician_id")
            outlet = ctx.row("outlets", caller["outlet_id"]) or {"id": caller["outlet_id"], "code": ""}
            return self._issue(node_actor(caller_node_id), outlet, url, technician_id)

    def outlet_devices(self, caller_node_id: str) -> list[DeviceRow]:
        """The technician devices of the calling outlet node's outlet, newest first."""
        caller = self._outlet_node(caller_node_id)
        return [DeviceRow(n["node_id"], n["name"] or n["node_id"], n["technician_id"], n["status"],
                          n["enrolled_at"], n["last_seen_at"], n["pending"], n["app_version"] or "")
                for n in self.ctx.hub.node_list()
                if n["outlet_id"] == caller["outlet_id"] and n["kind"] == "device"]

    def retire_device(self, caller_node_id: str, device_node_id: str) -> None:
        """Stop one of the outlet's devices (a lost tablet, a technician who left): its
        next signed request is refused (403 `revoked`), as when HQ revokes it."""
        ctx = self.ctx
        with ctx.tx():
            caller = self._outlet_node(caller_node_id)
            device = ctx.hub.node(device_node_id) if isinstance(device_node_id, str) else None
            if device is None or device["outlet_id"] != caller["outlet_id"] or device["kind"] != "device":
                raise ServiceError.of("node_unknown")
            self._revoke(node_actor(caller_node_id), device_node_id)

    def _outlet_node(self, node_id: str) -> dict:
        node = self.ctx.hub.node(node_id)
        if node is None or node["status"] != "active" or node["kind"] != "outlet":
            zh, en = MESSAGES["devices_outlet_only"]  # the protocol's code, this case's words
            raise ServiceError("forbidden", zh, en)
        return node

    def revoke(self, session: HubSession, node_id: str) -> None:
        """Stop a node: its next signed request is refused (403 `revoked`)."""
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        with ctx.tx():
            if ctx.hub.node(node_id or "") is None:
                raise ServiceError.of("not_found", thing=pair("hq_rule", "node"))
            self._revoke(session, node_id)

    def _revoke(self, actor: HubSession, node_id: str) -> None:
        ctx = self.ctx
        if not ctx.hub.revoke_node(node_id, ctx.now()):
            raise ServiceError.of("node_revoked")
        ctx.audit(actor, "node_revoked", node_id)
        metrics.REVOCATIONS.inc()

    def forks(self, session: HubSession, *, open_only: bool = True) -> list[ForkAlert]:
        self.ctx.allow(session, HqWork.ADMIN)
        return [ForkAlert(f["id"], f["node_id"], f["node_name"] or f["node_id"], f["outlet_code"] or "", f["at"],
                          f["epoch"], f["node_epoch"], bool(f["resolved"]))
                for f in self.ctx.hub.fork_alerts(open_only)]

    def restore_report(self, session: HubSession) -> RestoreReport:
        """After HQ was restored from a backup: what the nodes gave back, what is lost."""
        self.ctx.allow(session, HqWork.ADMIN)
        return restore_report(self.ctx.hub, session.lang)

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


def node_actor(node_id: str) -> HubSession:
    """The audit's actor when an outlet node administers its devices (no HQ user)."""
    return HubSession(user_id=f"{NODE_ACTOR}{node_id}", username=node_id, display_name=node_id, role="")


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
