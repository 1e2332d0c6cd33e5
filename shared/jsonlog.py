"""Logs as JSON lines (one object a line, UTF-8) for the hub and the node, so that HQ's IT
can ship them to whatever reads JSON without a parser per message.

Every line has `ts` (ISO 8601 UTC), `level`, `logger`, `msg`, the process's `app` (hub
or node) and, where known, the `request_id` of the HTTP request being served (carried
from the balancer's X-Request-ID, or made here) and the `node_id`. Fields a caller passes
with `extra={"fields": {...}}` are added as they are (counts, codes, durations: never a
person's data).

Never personal data or secrets: callers log ids, codes and counts only; as a second line
of defence every line is scrubbed of what looks like a mainland mobile number or a
`password=`/`pin=`/`token=` pair before it is written."""
import contextvars
import json
import logging
import re
import sys
import time
import uuid

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
NODE_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("node_id", default=None)

_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_SECRET = re.compile(r"(?i)\b(password|passwd|pin|token|secret|authorization)\b(\s*[=:]\s*)(\"?)[^\s,\"&}]+")
QUIET = ("flet", "flet_web", "flet_transport", "httpx", "httpcore", "apscheduler", "uvicorn.access")


def request_id_from(header: str | None) -> str:
    """The balancer's request id when it is a sane token (bounded, no spaces or quotes: it
    goes into every log line), else a new one."""
    if header and _REQUEST_ID_OK.match(header):
        return header
    return uuid.uuid4().hex


def scrub(text: str) -> str:
    """What must never reach a log, masked: mobile numbers and secret-looking pairs."""
    text = _PHONE.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-4:], text)
    return _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}***", text)


class JsonFormatter(logging.Formatter):
    def __init__(self, app: str):
        super().__init__()
        self.app = app

    def format(self, record: logging.LogRecord) -> str:
        line = {"ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                + f".{int(record.msecs):03d}Z",
                "level": record.levelname.lower(), "app": self.app, "logger": record.name,
                "msg": record.getMessage()}
        request_id, node_id = REQUEST_ID.get(), NODE_ID.get()
        if request_id:
            line["request_id"] = request_id
        if node_id:
            line["node_id"] = node_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return scrub(json.dumps(line, ensure_ascii=False, default=str))


def configure(app: str, *, level: int | str = logging.INFO, stream=None) -> logging.Handler:
    """JSON lines on `stream` (stderr) for the whole process; chatty libraries at WARNING."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(app))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    return handler


def event(logger: logging.Logger, msg: str, level: int = logging.INFO, **fields) -> None:
    """One line with named fields (ids, codes, counts and durations only)."""
    logger.log(level, msg, extra={"fields": fields})
