"""Passwords and PINs hashed with scrypt; the hash replicates to nodes so that outlet
users can log in offline — and so sits on every outlet PC a thief may carry away. A PIN has
few digits, so its hash is made expensive to guess offline: 6–12 digits (hub admin) under
scrypt N=2^16, r=8 (64 MiB and ~0.23 s of one core per guess: a six-digit PIN costs about
2.7 core-days to search, README "A stolen node"). A PIN hash of a lower cost is the old rule
(4–6 digits, N=2^14): it opens no session (`weak_pin`) and `fieldsync hub retire-weak-pins`
removes it. Format: scrypt$n$r$p$salt$hash (base64url).

Every check costs one KDF, whatever it is given: a missing or unreadable hash (no such
user, a user without a PIN) is checked against a dummy hash of the same cost (a PIN's for a
PIN), so a name that does not exist answers as slowly as one that does (no user
enumeration by timing)."""
import base64
import hashlib
import hmac
import secrets

N, R, P = 2 ** 14, 8, 1
PIN_N = 2 ** 16  # a PIN's cost (see above); passwords are longer and keep N
_MAXMEM = 256 * 1024 * 1024  # hashlib's default (32 MiB) is below what PIN_N needs


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def hash_password(password: str, n: int = N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=R, p=P, maxmem=_MAXMEM, dklen=32)
    return f"scrypt${n}${R}${P}${_b64(salt)}${_b64(digest)}"


def hash_pin(pin: str) -> str:
    return hash_password(pin, PIN_N)


def weak_pin_hash(stored: str | None) -> bool:
    """A PIN hash made under the old rule (a cost below PIN_N): guessed offline in minutes."""
    try:
        scheme, n, *_ = (stored or "").split("$")
        return scheme == "scrypt" and int(n) < PIN_N
    except ValueError:
        return False


_dummy: dict[int, str] = {}


def _dummy_hash(n: int) -> str:
    """A hash of a password nobody knows, made once per process at the cost `n`."""
    if n not in _dummy:
        _dummy[n] = hash_password(secrets.token_urlsafe(16), n)
    return _dummy[n]


def _parsed(stored: str | None) -> tuple[bytes, int, int, int, bytes] | None:
    try:
        scheme, n, r, p, salt, digest = (stored or "").split("$")
        if scheme != "scrypt" or int(n) > 2 ** 20 or int(r) > 32 or int(p) > 16:
            return None
        return _unb64(salt), int(n), int(r), int(p), _unb64(digest)
    except (ValueError, TypeError):
        return None


def check_password(password: str, stored: str | None, *, pin: bool = False) -> bool:
    """Whether `password` matches `stored`; exactly one scrypt either way (`pin`: a PIN's
    cost when there is nothing real to check)."""
    parsed = _parsed(stored)
    real = parsed is not None
    if parsed is None:
        parsed = _parsed(_dummy_hash(PIN_N if pin else N))
    assert parsed is not None
    salt, n, r, p, digest = parsed
    try:
        got = hashlib.scrypt((password or "").encode("utf-8", "replace"), salt=salt, n=n, r=r, p=p,
                             maxmem=_MAXMEM, dklen=len(digest) or 32)
    except (ValueError, TypeError):
        return False
    return real and hmac.compare_digest(got, digest)


def generate_password() -> str:
    return secrets.token_urlsafe(12)
