"""RFC 9421 HTTP Message Signatures for the protocol's one profile: label `sig1`,
alg="ed25519", keyid=<node_id>, covered components "@method" "@path" "@query" and, with a
body, "content-digest" (RFC 9530, sha-256 over the body bytes as sent), with `created`.
Path and query rather than the URI, so a TLS-terminating proxy does not break them.

Why not the `http-message-signatures` package for signing and verifying: it implements all
of RFC 9421 (any components, several labels, tags, expiry), and a verifier of ours would
have to fence all that off again to accept only this profile, and answer `clock_skew`
rather than a generic failure; it wants a request object with an absolute URL, which
neither the node's client nor the hub's route has in that form. The profile's signature
base is five fixed lines. What is easy to get wrong by hand — reading the Structured Field
dictionaries `Signature-Input` and `Signature` (RFC 8941/9651: inner lists, parameters,
byte sequences, quoting) — is done by `http-sf` (pure Python, the RFC author's own), and
the base's `@signature-params` line is its serialisation, as RFC 9421 §2.3 says. The full
library stays the independent cross-check in the tests (tests/test_protocol_vectors.py,
tests/test_http_api.py), which it could not be if it produced our signatures."""
import base64
import hashlib
import time

import http_sf
from cryptography.exceptions import InvalidSignature

from sync.errors import BadSignature, ClockSkew
from sync.keys import SigningKey, public_key

LABEL = "sig1"
ALG = "ed25519"
MAX_SKEW_S = 300
COMPONENTS = ("@method", "@path", "@query")
BODY_COMPONENTS = (*COMPONENTS, "content-digest")


def content_digest(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


def _base(method: str, path: str, query: str, digest: str | None, params: str) -> bytes:
    lines = [f'"@method": {method.upper()}', f'"@path": {path}', f'"@query": ?{query or ""}']
    if digest is not None:
        lines.append(f'"content-digest": {digest}')
    lines.append(f'"@signature-params": {params}')
    return "\n".join(lines).encode()


def _serialised(components: list, params: dict) -> str:
    """The inner list with its parameters as Signature-Input carries it (without the label)."""
    return http_sf.ser({LABEL: (components, params)}).removeprefix(f"{LABEL}=")


def sign(key: SigningKey, keyid: str, method: str, path: str, query: str, body: bytes | None,
         created: int | None = None) -> dict[str, str]:
    """Headers to add to a request: Signature-Input, Signature and, with a body, Content-Digest."""
    created = int(time.time()) if created is None else created
    digest = content_digest(body) if body else None
    components: list[tuple[str, dict]] = [(c, {}) for c in (BODY_COMPONENTS if digest else COMPONENTS)]
    params = _serialised(components, {"created": created, "keyid": keyid, "alg": ALG})
    sig = key.sign_raw(_base(method, path, query, digest, params))
    headers = {"Signature-Input": f"{LABEL}={params}", "Signature": http_sf.ser({LABEL: (sig, {})})}
    if digest:
        headers["Content-Digest"] = digest
    return headers


def _only_sig1(headers, name: str):
    """The one member of a Structured Field dictionary header, which must be `sig1`."""
    def duplicate(key: str, _context: str):
        raise ValueError(f"{key} appears twice")
    try:
        parsed = http_sf.parse((headers.get(name.lower()) or "").encode("ascii"), tltype="dictionary",
                               on_duplicate_key=duplicate)
    except (ValueError, UnicodeEncodeError):  # http_sf.StructuredFieldError is a ValueError
        parsed = None
    if not isinstance(parsed, dict) or list(parsed) != [LABEL]:
        raise BadSignature(f"the request carries no valid {LABEL} {name}")
    return parsed[LABEL]


def _input(headers) -> tuple[list, dict]:
    value, params = _only_sig1(headers, "Signature-Input")
    if not isinstance(value, list):
        raise BadSignature("Signature-Input must be an inner list of components")
    return value, params


def signer_of(headers) -> str:
    """The keyid a request claims, before its key is looked up."""
    keyid = _input(headers)[1].get("keyid")
    if not isinstance(keyid, str) or not keyid:
        raise BadSignature("Signature-Input has no keyid")
    return keyid


def verify(public_b64: str, method: str, path: str, query: str, headers, body: bytes,
           now: float | None = None) -> None:
    """Raise BadSignature or ClockSkew unless the request is signed as the profile says."""
    verify_head(public_b64, method, path, query, headers, signs_body=bool(body), now=now)
    if body:
        check_digest(headers, body)


def check_digest(headers, body: bytes) -> None:
    """The body is the one whose Content-Digest the signature covers."""
    if headers.get("content-digest") != content_digest(body):
        raise BadSignature("Content-Digest does not match the body")


def verify_head(public_b64: str, method: str, path: str, query: str, headers, *, signs_body: bool,
                now: float | None = None) -> None:
    """The signature checked over the headers alone (the Content-Digest as declared), so that
    a stranger's upload is refused before its body is read; `check_digest` then binds the body."""
    components, params = _input(headers)
    sig, sig_params = _only_sig1(headers, "Signature")
    if not isinstance(sig, bytes) or sig_params:
        raise BadSignature("Signature must be one byte sequence")
    created = params.get("created")
    if params.get("alg") != ALG or type(created) is not int:
        raise BadSignature("the signature must use alg=ed25519 and carry created")
    expected = BODY_COMPONENTS if signs_body else COMPONENTS
    if components != [(c, {}) for c in expected]:
        raise BadSignature("the signature must cover " + " ".join(f'"{c}"' for c in expected))
    digest = headers.get("content-digest") if signs_body else None
    if signs_body and not digest:
        raise BadSignature("Content-Digest does not match the body")
    try:
        public_key(public_b64).verify(sig, _base(method, path, query, digest, _serialised(components, params)))
    except (InvalidSignature, ValueError):
        raise BadSignature("the request signature is invalid") from None
    now = time.time() if now is None else now
    if abs(now - created) > MAX_SKEW_S:
        raise ClockSkew("this device's clock differs from HQ's by more than 5 minutes",
                        hub_time=int(now * 1000))
