"""Login with the users HQ replicated to this outlet: password or PIN, both scrypt hashes
checked offline. Failures are throttled per name and source (shared/login_throttle.py: five
free, then a lock of that source doubling from five minutes to an hour), so a PIN cannot be
guessed through the app, and a stranger typing a technician's name locks out only himself;
every attempt a lock lets through costs one KDF, whoever it names. The message never says
whether the name or the secret was wrong. A PIN hash of the old, cheap rule opens no session
even when right (`weak_pin`: the password still does; shared/passwords.py). On a
technician's device only that technician logs in (anyone else is told so, in words)."""
from shared.login_input import login_name
from shared.login_throttle import LoginThrottle
from shared.passwords import check_password, weak_pin_hash
from shared.roles import OUTLET_ROLES

from node.services import audit, guards
from node.services.errors import ServiceError
from node.services.session import Session


class Auth:
    def __init__(self, ctx):
        self.ctx = ctx
        self.throttle = LoginThrottle(ctx.now)

    def login(self, username: str, secret: str, *, pin: bool = False, lang: str = "zh",
              source: str | None = None) -> Session:
        """`source`: where the attempt comes from (the browser's address; None: this machine)."""
        name = login_name(username, secret)
        if not (guards.is_text(name) and guards.is_text(secret)):
            raise ServiceError.of("login_failed")  # no such name, and no such secret
        self.throttle.check(name, source)
        user = self.ctx.one("SELECT * FROM users WHERE username = ? AND outlet_id = ?",
                            (name, self.ctx.outlet_id))
        bound = self.ctx.store.technician_id if self.ctx.store.kind == "device" else None
        if bound is not None and (user is None or user["id"] != bound):  # a technician's device: theirs alone
            self._failed(name, source)
            raise ServiceError.of("device_other_user", technician=self.bound_technician())
        stored = (user or {}).get("pin_hash" if pin else "password_hash")
        ok = check_password(secret or "", stored, pin=pin)  # one KDF, user or not
        if user is None or user.get("role") not in OUTLET_ROLES or not ok:
            self._failed(name, source)
            raise ServiceError.of("login_failed")
        self.throttle.succeeded(name, source)
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

    def _failed(self, name: str, source: str | None) -> None:
        self.throttle.failed(name, source)
        audit.record(self.ctx, audit.LOGIN_FAILED, detail=name)


def _name(user: dict | None, fallback: str) -> str:
    return (user or {}).get("display_name") or (user or {}).get("username") or fallback
