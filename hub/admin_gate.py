"""The one door of the admin API (/api/v1/admin…), as pure ASGI middleware in front of every
admin route, so that no route can forget it (issue #17 item 3):

1. HTTP Basic is checked from the request's head alone, before a byte of the body is read:
   a stranger's 60 MiB upload gets its 401 at once. The check is HQ's login (hub/services/
   auth.py `admin_login`): the same throttle per name and source as HQ's web UI, the same
   audit of failures, one KDF per attempt whoever it names. A refusal says
   `WWW-Authenticate`; a lock is 429 `login_locked` with `Retry-After`.
2. Only then the body, at most `limit_for(path)` bytes (64 KiB unless BODY_LIMITS says more;
   Content-Length above it is 413 before reading), within BODY_TIMEOUT_S. The route gets
   it replayed, bounded, and the admin's session on `request.state.admin`."""
import asyncio
import base64
import binascii
import json
from collections.abc import Callable

from hub.services import table_files
from shared.client_limits import BODY_TIMEOUT_S
from shared.errors import ServiceError
from shared.login_throttle import LoginLocked

PREFIX = "/api/v1/admin"
DEFAULT_LIMIT = 64 * 1024
# path prefix -> bytes, for an admin route that takes more: an import file may be as large
# as the import service reads (hub/admin_files.py), once the admin is authenticated
BODY_LIMITS: dict[str, int] = {PREFIX + "/import/": table_files.MAX_BYTES}
REALM = 'Basic realm="fieldsync HQ admin", charset="UTF-8"'


def limit_for(path: str) -> int:
    return max([n for p, n in BODY_LIMITS.items() if path.startswith(p)], default=DEFAULT_LIMIT)


def lang_of(headers: dict[bytes, bytes]) -> str:
    return "en" if headers.get(b"accept-language", b"").lower().startswith(b"en") else "zh"


def basic_credentials(header: bytes) -> tuple[str, str] | None:
    """(user, password) of an `Authorization: Basic …` header, else None."""
    try:
        scheme, value = header.decode("latin-1").split(" ", 1)
        if scheme.lower() != "basic" or len(value) > 4096:
            return None
        user, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").split(":", 1)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return user, password


class AdminGate:
    """`login(user, password, lang=, source=) -> HubSession` (blocking: run on a worker
    thread), raising ServiceError when refused."""

    def __init__(self, app, login: Callable):
        self.app, self.login = app, login

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == PREFIX or path.startswith(PREFIX + "/")):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or ())
        lang = lang_of(headers)
        state = scope.setdefault("state", {})
        credentials = basic_credentials(headers.get(b"authorization", b""))
        if credentials is None:
            return await self._deny(scope, send, state, None, lang)
        client = scope.get("client")
        try:
            session = await asyncio.to_thread(self.login, *credentials, lang=lang,
                                              source=client[0] if client else None)
        except ServiceError as exc:
            return await self._deny(scope, send, state, exc, lang)
        limit = limit_for(path)
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            return await _answer(send, state, 413, "too_large", f"request body is larger than {limit} bytes")
        body = await _read_body(receive, limit)
        if isinstance(body, tuple):
            return await _answer(send, state, *body)
        state["admin"] = session
        await self.app(scope, _replay(body, receive), send)

    async def _deny(self, scope, send, state, exc: ServiceError | None, lang: str):
        if isinstance(exc, LoginLocked):
            return await _answer(send, state, 429, "login_locked", exc.message(lang),
                                 [(b"retry-after", str(exc.retry_after_s).encode())])
        message = ("admin login required (HTTP Basic, an HQ admin user)" if lang == "en"
                   else "需要总部管理员登录（HTTP Basic）")
        await _answer(send, state, 401, "unauthorized", message, [(b"www-authenticate", REALM.encode())])


async def _read_body(receive, limit: int) -> bytes | tuple[int, str, str]:
    """The whole body, or (status, code, message) when it is too large, late or cut off."""
    chunks, size = [], 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT_S):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return 400, "bad_request", "the request body ended before its end"
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    return 413, "too_large", f"request body is larger than {limit} bytes"
                chunks.append(chunk)
                if not message.get("more_body"):
                    return b"".join(chunks)
    except TimeoutError:
        return 400, "bad_request", f"the request body did not arrive within {BODY_TIMEOUT_S} s"


def _replay(body: bytes, receive):
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: the disconnect, when it comes
    return replayed


async def _answer(send, state: dict, status: int, code: str, message: str,
                  headers: list[tuple[bytes, bytes]] | None = None) -> None:
    state["outcome"] = code
    payload = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
        *(headers or [])]})
    await send({"type": "http.response.body", "body": payload})
