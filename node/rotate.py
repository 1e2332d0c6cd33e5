"""Key rotation without a lockout: the new key is written beside the old one before HQ
hears of it, and only replaces it after HQ confirmed. A crash in between is resolved on
the next start by asking HQ which key it accepts."""
import os

from node.home import NodeHome
from sync.errors import BadSignature
from sync.http_client import HttpTransport
from sync.keys import SigningKey


def pending_key_path(home: NodeHome):
    return home.key.with_name("node.key.new")


def rotate_key(home: NodeHome, transport: HttpTransport) -> str:
    new = SigningKey.generate()
    new.save(pending_key_path(home))
    transport.rotate(new)  # signed by the old key; HQ switches to the new one
    os.replace(pending_key_path(home), home.key)
    return new.public_b64


def settle_pending_rotation(home: NodeHome, transport: HttpTransport) -> None:
    """After a crash mid-rotation: keep whichever key HQ accepts."""
    path = pending_key_path(home)
    if not path.exists():
        return
    try:
        transport.hello()  # the old key still works: the rotation never reached HQ
        path.unlink()
    except BadSignature:
        new = SigningKey.load(path)
        transport.key = new
        transport.hello()
        os.replace(path, home.key)
