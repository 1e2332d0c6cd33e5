"""How long a browser session of either app stays logged in (issue #17 item 7): an idle
timeout, a session id rotated at login, and no disconnected session kept past the timeout.

Flet 1.0 keys a browser's session by an id the client keeps in its sessionStorage and
sends again when it reconnects; Flet's web server kept a disconnected session an hour and
gave it back, logged in, to whoever presented that id (with the same user agent). So:

- **Idle timeout.** Every event or field change the person's browser sends about one of
  the page's controls counts as activity (`install` notes it, per Flet session). An
  `IdleWatch` started at login logs the person out once nothing came for `idle_s`, and
  the login card says why, in their language. A disconnected tablet is logged out at the
  same moment: the watch runs on the server.
- **Disconnected sessions** are kept only `idle_s` (Flet's `session_timeout_seconds`,
  `SessionLife.retention_s`), not an hour.
- **Session id rotated at login** (`rotate_id`): the logged-in session gets a new random id
  and the pre-login id is forgotten by the server, so an id seen or planted before the login
  (session fixation) reaches only a new login screen. The browser is told its new id with
  Flet's own registration answer, which the web client stores (sessionStorage
  `_flet_session_id`) and presents when it reconnects or reloads.

The idle time is an option of `fieldsync hub serve` and `fieldsync node serve`
(`--idle-minutes`, default `DEFAULT_IDLE_MINUTES`; README "Sessions"). Flet is imported
only when a UI starts: the command line reads the constants here without it.

Relies on Flet 1.0.5's `Session.dispatch_event` / `Session.apply_patch` (every client
event and field change), its session registry (`flet_web.fastapi.flet_app_manager`,
private) and the private name of `Session.id`'s attribute;
tests/security/test_sessions.py catches a Flet release that changes them."""
import asyncio
import logging
import math
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("fieldsync.ui")

DEFAULT_IDLE_MINUTES = 15.0  # an outlet's shared desk PC, HQ's open-plan desks
MAX_IDLE_MINUTES = 24 * 60


@dataclass(frozen=True)
class SessionLife:
    """How long a session may stay idle, in seconds."""
    idle_s: float = DEFAULT_IDLE_MINUTES * 60

    @classmethod
    def minutes(cls, minutes: float | None) -> "SessionLife":
        """From the `--idle-minutes` option (None: the default)."""
        return cls() if minutes is None else cls(idle_s=float(minutes) * 60)

    @property
    def retention_s(self) -> int:
        """How long Flet keeps a disconnected session (whole seconds, at least one)."""
        return max(1, math.ceil(self.idle_s))

    @property
    def shown_minutes(self) -> str:
        """The idle time as the login card says it: "15", "0.5"."""
        return f"{self.idle_s / 60:g}"


def idle_minutes(text: str) -> float:
    """The `--idle-minutes` option's type: minutes above 0 and at most a day (decimals
    allowed: 0.5 is half a minute); refused in words otherwise."""
    try:
        minutes = float(text)
    except ValueError:
        minutes = math.nan
    if not (math.isfinite(minutes) and 0 < minutes <= MAX_IDLE_MINUTES):
        import argparse
        raise argparse.ArgumentTypeError(
            f"空闲时间须为大于 0、不超过 {MAX_IDLE_MINUTES} 的分钟数 "
            f"(idle minutes must be above 0 and at most {MAX_IDLE_MINUTES}): {text!r}")
    return minutes


# ---- activity, per Flet session ----

_last_seen: "weakref.WeakKeyDictionary[object, float]" = weakref.WeakKeyDictionary()
_installed = False


def install() -> None:
    """Note every client event and field change about a control (not the page's own
    connect/resize/close events) as the session's activity; once per process."""
    global _installed
    if _installed:
        return
    from flet.messaging.session import Session
    dispatch, patch = Session.dispatch_event, Session.apply_patch

    async def dispatch_event(self, control_id, event_name, event_data):
        if control_id != self.page._i:
            touch(self)
        return await dispatch(self, control_id, event_name, event_data)

    def apply_patch(self, control_id, patch_):
        if control_id != self.page._i:
            touch(self)
        return patch(self, control_id, patch_)

    Session.dispatch_event = dispatch_event  # type: ignore[method-assign]
    Session.apply_patch = apply_patch  # type: ignore[method-assign]
    _installed = True


def touch(session) -> None:
    _last_seen[session] = time.monotonic()


def idle_for(session) -> float:
    """Seconds since the session's last activity (0 when none was noted)."""
    seen = _last_seen.get(session)
    return 0.0 if seen is None else time.monotonic() - seen


class IdleWatch:
    """Logs a page's person out after `life.idle_s` without activity: `start()` at login,
    `stop()` at logout; `on_idle()` runs on the session's event loop."""

    def __init__(self, page, life: SessionLife, on_idle: Callable[[], None]):
        self.page, self.life, self.on_idle = page, life, on_idle
        self._round = 0  # a watch started before the last start/stop is over

    def start(self) -> None:
        install()
        self._round += 1
        touch(self.page.session)
        self.page.run_task(self._watch, self._round)

    def stop(self) -> None:
        self._round += 1

    async def _watch(self, round_: int) -> None:
        session = self.page.session
        while round_ == self._round:
            left = self.life.idle_s - idle_for(session)
            if left <= 0:
                self._round += 1
                try:
                    self.on_idle()
                except Exception:  # the session may be gone (evicted); nothing to tell anyone
                    log.debug("idle logout of a closed session", exc_info=True)
                return
            await asyncio.sleep(left + 0.05)


# ---- a new session id at login ----

def rotate_id(page) -> str | None:
    """Give the page's Flet session a new random id, forget the old one on the server and
    tell the browser (see the module's docstring). None when the session is not one of
    Flet's web server's (the device app's window): no id to present there."""
    try:
        from flet.messaging.protocol import Message, MessageAction
        from flet.utils.strings import random_string
        from flet_web.fastapi.flet_app_manager import app_manager
    except ImportError:  # a packaged app without Flet's web server
        return None
    session = page.session
    sessions = app_manager._FletAppManager__sessions  # private: Flet offers no way to re-key a session
    old_id = session.id
    key = next((k for k, s in sessions.items() if s is session), None)
    if key is None or f"_{old_id}_" not in key or session.connection is None:
        return None
    new_id = random_string(16)
    new_key = key.replace(f"_{old_id}_", f"_{new_id}_", 1)
    session._Session__id = new_id  # Flet reads it again to file the session away when the socket drops
    sessions[new_key] = session
    del sessions[key]
    # A plain dict: Flet's encoder would drop the empty page patch, and the client needs one.
    session.connection.send_message(Message(MessageAction.REGISTER_CLIENT,
                                            {"session_id": new_id, "page_patch": {}, "error": ""}))
    return new_id
