"""Login for HQ users (agents, approvers, admins): users without an outlet, password
checked against its scrypt hash. Five failures in ten minutes lock the name for five
minutes; the message never says whether the name or the password was wrong."""
from shared.errors import ServiceError
from shared.login_input import login_name
from shared.passwords import check_password
from shared.roles import HUB_ROLES

from hub.services.session import HubSession

MAX_FAILURES = 5
WINDOW_MS = 10 * 60 * 1000
LOCK_MS = 5 * 60 * 1000
LOGIN_OK, LOGIN_FAILED = "login_ok", "login_failed"


class Auth:
    def __init__(self, ctx):
        self.ctx = ctx

    def login(self, username: str, password: str, *, lang: str = "zh") -> HubSession:
        name = login_name(username, password)
        self._check_lock(name)
        user = self.ctx.one("SELECT * FROM users WHERE username = ? AND outlet_id IS NULL", (name,))
        if user is None or user.get("role") not in HUB_ROLES \
                or not check_password(password or "", user.get("password_hash")):
            self.ctx.audit(None, LOGIN_FAILED, detail=name)
            raise ServiceError.of("login_failed")
        if not user.get("active"):
            raise ServiceError.of("user_inactive")
        session = HubSession.of_user(user, lang)
        self.ctx.audit(session, LOGIN_OK, detail=name)
        return session

    def _check_lock(self, name: str) -> None:
        now = self.ctx.now()
        last_ok = self.ctx.scalar("SELECT MAX(at) FROM hq_audit WHERE action = ? AND detail = ?",
                                  (LOGIN_OK, name)) or 0
        fails = [r["at"] for r in self.ctx.query(
            "SELECT at FROM hq_audit WHERE action = ? AND detail = ? AND at > ? ORDER BY at DESC LIMIT ?",
            (LOGIN_FAILED, name, max(last_ok, now - WINDOW_MS), MAX_FAILURES))]
        if len(fails) >= MAX_FAILURES and now - fails[0] < LOCK_MS:
            minutes = -(-(LOCK_MS - (now - fails[0])) // 60000)
            raise ServiceError.of("login_locked", minutes=minutes)
