"""Login for HQ users (agents, approvers, admins): users without an outlet, password
checked against its scrypt hash. HQ's web UI and the admin API (HTTP Basic, admins only)
log in here, so they share one throttle (shared/login_throttle.py: per name and source)
and one audit of failures; the message never says whether the name or the password was
wrong, and every attempt a lock lets through costs exactly one KDF, whoever it names."""
from shared.errors import ServiceError
from shared.login_input import login_name
from shared.login_throttle import LoginThrottle
from shared.passwords import check_password
from shared.roles import HUB_ROLES, Role

from hub.services.session import HubSession

LOGIN_OK, LOGIN_FAILED = "login_ok", "login_failed"
ADMIN_API = "admin_api"  # the audit subject of a failed admin API login


class Auth:
    def __init__(self, ctx):
        self.ctx = ctx
        self.throttle = LoginThrottle(ctx.now)

    def login(self, username: str, password: str, *, lang: str = "zh", source: str | None = None) -> HubSession:
        """HQ's web UI: any HQ role; `source` is the browser's address."""
        user, name = self._checked(username, password, source, HUB_ROLES, subject="")
        if not user.get("active"):
            raise ServiceError.of("user_inactive")
        session = HubSession.of_user(user, lang)
        self.ctx.audit(session, LOGIN_OK, detail=name)
        return session

    def admin_login(self, username: str, password: str, *, lang: str = "zh",
                    source: str | None = None) -> HubSession:
        """One admin API request (HTTP Basic): an active admin, else login_failed alike for
        a wrong password, another role or an inactive account. Successes are not audited
        (every request logs in); the admin services audit what the request does."""
        user, name = self._checked(username, password, source, (Role.ADMIN,), subject=ADMIN_API)
        if not user.get("active"):
            self._failed(name, source, ADMIN_API)
            raise ServiceError.of("login_failed")
        return HubSession.of_user(user, lang)

    def _checked(self, username: str, password: str, source: str | None, roles, subject: str) -> tuple[dict, str]:
        name = login_name(username, password)
        self.throttle.check(name, source)
        user = self.ctx.one("SELECT * FROM users WHERE username = ? AND outlet_id IS NULL", (name,))
        ok = check_password(password or "", (user or {}).get("password_hash"))  # one KDF, user or not
        if user is None or user.get("role") not in roles or not ok:
            self._failed(name, source, subject)
            raise ServiceError.of("login_failed")
        self.throttle.succeeded(name, source)
        return user, name

    def _failed(self, name: str, source: str | None, subject: str) -> None:
        self.throttle.failed(name, source)
        self.ctx.audit(None, LOGIN_FAILED, subject=subject, detail=name)
