"""The outlet manager's devices: a one-time device code for one of the outlet's technicians
(shown as a QR with its text and expiry), the outlet's technician devices as HQ knows them
(last sync, unsynced changes, release, status), and retiring one. Codes, the list and
retiring are HQ's (docs/protocol.md "Device administration"): they need a connection to
HQ, said in words when there is none; the rest of the app works offline. The manager role
is checked here, HQ checks that the caller is the outlet's PC."""
import io
from collections.abc import Callable
from dataclasses import dataclass

from shared.choices import Choice
from shared.labels import pair
from shared.roles import Role
from sync.errors import SyncError
from sync.http_client import HubUnreachable

from node.services import guards
from node.services.errors import ServiceError
from node.services.session import Session

MANAGER = (Role.OUTLET_MANAGER,)


@dataclass(frozen=True, slots=True)
class DeviceCode:
    code: str
    technician_id: str
    technician_name: str
    expires_at: int

    def qr_png(self, scale: int = 5) -> bytes:
        """The code as a QR image for the device's camera (segno: no network, pure Python)."""
        import segno
        buf = io.BytesIO()
        segno.make(self.code, error="l").save(buf, kind="png", scale=scale, border=2)
        return buf.getvalue()


@dataclass(frozen=True, slots=True)
class Device:
    node_id: str
    name: str
    technician_id: str | None
    technician_name: str
    active: bool
    enrolled_at: int | None
    last_seen_at: int | None   # its last sync with HQ
    pending: int | None        # changes it had not synced then (None: it has not said)
    app_version: str


@dataclass(frozen=True, slots=True)
class DeviceList:
    devices: tuple[Device, ...]
    offline: str | None        # why the list could not be read (no connection to HQ), in words


class Devices:
    UNLOCKED = ("issue_code", "devices", "retire")  # they wait for HQ: never while holding the store

    def __init__(self, ctx, hub: Callable[[], object] | None = None):
        """`hub()`: the outlet node's transport to HQ (sync.http_client.HttpTransport)."""
        self.ctx = ctx
        self._hub = hub

    def technicians(self, session: Session) -> list[Choice]:
        """The outlet's active technicians, for the code's picker."""
        self._manager(session)
        rows = self.ctx.query("SELECT id, username, display_name FROM users WHERE outlet_id = ? AND role = ?"
                              " AND active = 1 ORDER BY display_name, username",
                              (self.ctx.outlet_id, Role.TECHNICIAN))
        return [Choice(r["id"], r["display_name"] or r["username"] or r["id"]) for r in rows]

    def issue_code(self, session: Session, technician_id: str) -> DeviceCode:
        with self.ctx.lock:
            self._manager(session)
            tech = self.ctx.user(technician_id or "")
            if tech is None or tech.get("role") != Role.TECHNICIAN or not tech.get("active") \
                    or tech.get("outlet_id") != self.ctx.outlet_id:
                raise ServiceError.of("technician_unknown", field="technician")
        out = self._call(session, "issue_code", lambda hub: hub.device_code(technician_id, lang=session.lang))
        return DeviceCode(out["code"], technician_id, _name(tech), out["expires_at"])

    def devices(self, session: Session) -> DeviceList:
        with self.ctx.lock:
            self._manager(session)
        try:
            rows = self._call(session, "device_list", lambda hub: hub.devices(lang=session.lang))
        except ServiceError as exc:
            if exc.code != "needs_hq":
                raise
            return DeviceList((), exc.message(session.lang))
        names = {r["id"]: _name(r) for r in self.ctx.query(
            "SELECT id, username, display_name FROM users WHERE outlet_id = ?", (self.ctx.outlet_id,))}
        return DeviceList(tuple(Device(d["node_id"], d.get("name") or d["node_id"], d.get("technician_id"),
                                       names.get(d.get("technician_id"), d.get("technician_id") or ""),
                                       d.get("status") == "active", d.get("enrolled_at"), d.get("last_seen_at"),
                                       d.get("pending"), d.get("app_version") or "") for d in rows), None)

    def retire(self, session: Session, node_id: str) -> None:
        with self.ctx.lock:
            self._manager(session)
        self._call(session, "retire", lambda hub: hub.retire_device(node_id or "", lang=session.lang))

    def _manager(self, session: Session) -> None:
        self.ctx.current_user(session)
        if session.role not in MANAGER:
            raise guards.forbidden("manage_devices", MANAGER)

    def _call(self, session: Session, what: str, fn):
        """HQ's answer; no connection → "needs a connection to HQ" in words; HQ's refusal →
        its message (already in the session's language)."""
        hub = self._hub() if self._hub is not None else None
        if hub is None:
            raise ServiceError.of("needs_hq", action=pair("hq_call", what))
        try:
            return fn(hub)
        except HubUnreachable:
            raise ServiceError.of("needs_hq", action=pair("hq_call", what)) from None
        except SyncError as exc:
            raise ServiceError(exc.code, exc.message, exc.message) from None


def _name(user: dict) -> str:
    return user.get("display_name") or user.get("username") or user.get("id") or ""
