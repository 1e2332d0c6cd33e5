"""Passwords and PINs hashed with scrypt; the hash replicates to nodes so that outlet
users can log in offline. Format: scrypt$n$r$p$salt$hash (base64url).

Every check costs one KDF, whatever it is given: a missing or unreadable hash (no such
user, a user without a PIN) is checked against a dummy hash of the same cost, so a name
that does not exist answers as slowly as one that does (no user enumeration by timing)."""
import base64
import hashlib
import hmac
import secrets

N, R, P = 2 ** 14, 8, 1


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


_dummy: list[str] = []


def _dummy_hash() -> str:
    """A hash of a password nobody knows, made once per process at the current cost."""
    if not _dummy:
        _dummy.append(hash_password(secrets.token_urlsafe(16)))
    return _dummy[0]


def _parsed(stored: str | None) -> tuple[bytes, int, int, int, bytes] | None:
    try:
        scheme, n, r, p, salt, digest = (stored or "").split("$")
        if scheme != "scrypt" or int(n) > 2 ** 20 or int(r) > 32 or int(p) > 16:
            return None
        return _unb64(salt), int(n), int(r), int(p), _unb64(digest)
    except (ValueError, TypeError):
        return None


def check_password(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored`; exactly one scrypt either way."""
    parsed = _parsed(stored)
    real = parsed is not None
    if parsed is None:
        parsed = _parsed(_dummy_hash())
    assert parsed is not None
    salt, n, r, p, digest = parsed
    try:
        got = hashlib.scrypt((password or "").encode("utf-8", "replace"), salt=salt, n=n, r=r, p=p,
                             dklen=len(digest) or 32)
    except (ValueError, TypeError):
        return False
    return real and hmac.compare_digest(got, digest)


def generate_password() -> str:
    return secrets.token_urlsafe(12)
