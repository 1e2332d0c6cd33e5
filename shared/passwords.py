"""Passwords and PINs hashed with scrypt; the hash replicates to nodes so that outlet
users can log in offline — and so sits on every outlet PC a thief may carry away. A PIN has
few digits, so its hash is made expensive to guess offline: 6–12 digits (hub admin) under
scrypt N=2^16, r=8 (64 MiB and ~0.2 s of one core per guess: a six-digit PIN costs about
2.5 core-days to search, README "A stolen node"). A PIN hash of a lower cost is the old rule
(4–6 digits, N=2^14): it opens no session (`weak_pin`) and `fieldsync hub retire-weak-pins`
removes it. Format: scrypt$n$r$p$salt$hash (base64url)."""
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


def check_password(password: str, stored: str | None) -> bool:
    try:
        scheme, n, r, p, salt, digest = (stored or "").split("$")
        if scheme != "scrypt":
            return False
        if int(n) > 2 ** 20 or int(r) > 16 or int(p) > 4:
            return False  # not ours: a crafted cost must not hang a login
        got = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=_MAXMEM, dklen=len(_unb64(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, _unb64(digest))


def generate_password() -> str:
    return secrets.token_urlsafe(12)
