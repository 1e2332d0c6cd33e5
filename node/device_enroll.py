"""Enrolling a technician's device from its own screen: the device code (pasted or scanned)
spent on a node in a temporary directory beside the device's, moved into place only once
the whole node is there, so that a refused code, a lost connection or a crash leaves no
half-enrolled directory. Every refusal is a ServiceError in words (zh and en)."""
import os
import shutil
import tempfile
from pathlib import Path

from shared.errors import ServiceError
from shared.messages import MESSAGES
from sync.enrollment import PinMismatch
from sync.errors import BadToken, SyncError
from sync.http_client import HubUnreachable

from node.enroll import join
from node.home import NodeHome

LAST = "node.json"  # moved last: NodeHome.enrolled() is true only once it is there


def enroll_device(home: NodeHome, code: str, name: str) -> dict:
    """The enrollment answer (node_id, kind, technician_id, …) once `home` holds the node."""
    if home.enrolled():
        raise SystemExit(f"{home.dir} already holds an enrolled node")
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        raise ServiceError.of("enroll_bad_code", field="code")
    if not name:
        raise ServiceError.of("enroll_name", field="name")
    home.dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{home.dir.name}.enrolling-", dir=home.dir.parent))
    try:
        enrollment = _join(NodeHome(tmp), code, name)
        _move_in(tmp, home.dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return enrollment


def _join(home: NodeHome, code: str, name: str) -> dict:
    try:
        return join(home, code, name)
    except BadToken as exc:
        raise _refusal("enroll_technician_left" if exc.extra.get("reason") == "technician_left"
                       else "enroll_code_used") from None
    except HubUnreachable:
        raise _refusal("enroll_unreachable") from None
    except PinMismatch:
        raise _refusal("pin_mismatch") from None
    except SyncError as exc:
        raise ServiceError(exc.code, exc.message, exc.message) from None
    except ValueError:  # not a code at all, or a code of another hub
        raise _refusal("enroll_bad_code") from None
    except OSError:  # the hub's address did not answer the certificate fetch
        raise _refusal("enroll_unreachable") from None


def _refusal(code: str) -> ServiceError:
    zh, en = MESSAGES[code]
    return ServiceError(code, zh, en, "code")


def _move_in(tmp: Path, target: Path) -> None:
    """The whole directory by one rename when the target is absent or empty (the usual
    case); else file by file with node.json last."""
    if target.exists() and not any(target.iterdir()):
        target.rmdir()
    if not target.exists():
        os.replace(tmp, target)
        return
    entries = sorted(tmp.iterdir(), key=lambda p: p.name == LAST)
    for entry in entries:
        os.replace(entry, target / entry.name)
