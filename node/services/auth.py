"""Login with the users HQ replicated to this outlet: password or PIN, both scrypt hashes
checked offline. Five failures in ten minutes lock the name for five minutes, so a PIN
cannot be guessed through the screen; the message never says whether the name or the
secret was wrong. A PIN hash of the old, cheap rule opens no session even when right
(`weak_pin`: the password still does) — shared.passwords. On a technician's device only that technician logs in (anyone
else is told so, in words)."""
from shared.login_input import login_name
from shared.passwords import check_password, weak_pin_hash
from shared.roles import OUTLET_ROLES

from node.services import audit, guards
from node.services.errors import ServiceError
from node.services.session import Session

MAX_FAILURES = 5
WINDOW_MS = 10 * 60 * 1000
LOCK_MS = 5 * 60 * 1000


class Auth:
    def __init__(self, ctx):
        self.ctx = ctx

    def login(self, username: str, secret: str, *, pin: bool = False, lang: str = "zh") -> Session:
        name = login_name(username, secret)
        if not (guards.is_text(name) and guards.is_text(secret)):
            raise ServiceError.of("login_failed")  # no such name, and no such secret
        self._check_lock(name)
        user = self.ctx.one("SELECT * FROM users WHERE username = ? AND outlet_id = ?",
                            (name, self.ctx.outlet_id))
        bound = self.ctx.store.technician_id if self.ctx.store.kind == "device" else None
        if bound is not None and (user is None or user["id"] != bound):  # a technician's device: theirs alone
            audit.record(self.ctx, audit.LOGIN_FAILED, detail=name)
            raise ServiceError.of("device_other_user", technician=self.bound_technician())
        stored = (user or {}).get("pin_hash" if pin else "password_hash")
        if user is None or user.get("role") not in OUTLET_ROLES or not check_password(secret or "", stored):
            audit.record(self.ctx, audit.LOGIN_FAILED, detail=name)
            raise ServiceError.of("login_failed")
        if not user.get("active"):
            raise ServiceError.of("user_inactive")
        if pin and weak_pin_hash(stored):
            raise ServiceError.of("weak_pin")
        audit.record(self.ctx, audit.LOGIN_OK, user_id=user["id"], detail=name)
        return Session.of_user(user, lang)

    def bound_technician(self) -> str | None:
        """On a technician's device, the name of the one person who may log in."""
        if self.ctx.store.kind != "device":
            return None
        bound = self.ctx.store.technician_id
        return _name(self.ctx.user(bound), self.ctx.store.meta_get("technician_name") or bound)

    def _check_lock(self, name: str) -> None:
        now = self.ctx.now()
        last_ok = self.ctx.scalar("SELECT MAX(at) FROM _audit WHERE action = ? AND detail = ?",
                                  (audit.LOGIN_OK, name)) or 0
        fails = [r[0] for r in self.ctx.tuples(
            "SELECT at FROM _audit WHERE action = ? AND detail = ? AND at > ? ORDER BY at DESC LIMIT ?",
            (audit.LOGIN_FAILED, name, max(last_ok, now - WINDOW_MS), MAX_FAILURES))]
        if len(fails) >= MAX_FAILURES and now - fails[0] < LOCK_MS:
            minutes = -(-(LOCK_MS - (now - fails[0])) // 60000)
            raise ServiceError.of("login_locked", minutes=minutes)


def _name(user: dict | None, fallback: str) -> str:
    return (user or {}).get("display_name") or (user or {}).get("username") or fallback
