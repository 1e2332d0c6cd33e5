"""Ed25519 keys and the protocol's domain-separated signatures:
sig over b"fieldsync/v1/" + PURPOSE + b"\\n" + payload; keys and sigs base64url, unpadded."""
import base64
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.errors import BadSignature

SEGMENT, BUCKET, ROTATE = b"segment", b"bucket", b"rotate"
PURPOSES = (SEGMENT, BUCKET, ROTATE)


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not a base64url string")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _framed(purpose: bytes, payload: bytes) -> bytes:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown signing purpose {purpose!r}")
    return b"fieldsync/v1/" + purpose + b"\n" + payload


class SigningKey:
    """A node's or the hub's private key. Its file is created 0600 and never logged."""

    def __init__(self, private: Ed25519PrivateKey):
        self._private = private
        raw = private.public_key().public_bytes(serialization.Encoding.Raw,
                                                serialization.PublicFormat.Raw)
        self.public_b64 = b64u(raw)

    def __repr__(self) -> str:
        return f"SigningKey(public={self.public_b64[:10]}…)"

    @classmethod
    def generate(cls) -> "SigningKey":
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load(cls, path: Path) -> "SigningKey":
        private = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 key")
        return cls(private)

    def save(self, path: Path) -> None:
        pem = self._private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        os.chmod(path, 0o600)

    def sign(self, purpose: bytes, payload: bytes) -> str:
        return b64u(self._private.sign(_framed(purpose, payload)))

    def sign_raw(self, message: bytes) -> bytes:
        """For RFC 9421 request signatures, whose base string is already framed."""
        return self._private.sign(message)


def public_key(public_b64: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(unb64u(public_b64))
    except (ValueError, TypeError):
        raise BadSignature("public key is not a valid Ed25519 key") from None


def verify(public_b64: str, purpose: bytes, payload: bytes, signature: str) -> None:
    """Raise BadSignature unless `signature` is the key's signature of payload."""
    try:
        public_key(public_b64).verify(unb64u(signature), _framed(purpose, payload))
    except (InvalidSignature, ValueError, TypeError):
        raise BadSignature(f"{purpose.decode()} signature is invalid") from None
