"""RFC 9421 HTTP Message Signatures for the protocol's one profile: label `sig1`,
alg="ed25519", keyid=<node_id>, covered components "@method" "@path" "@query" and, with a
body, "content-digest" (RFC 9530, sha-256 over the body bytes as sent), with `created`.
Path and query rather than the URI, so a TLS-terminating proxy does not break them."""
import base64
import hashlib
import re
import time

from cryptography.exceptions import InvalidSignature

from sync.errors import BadSignature, ClockSkew
from sync.keys import SigningKey, public_key

LABEL = "sig1"
MAX_SKEW_S = 300
_INPUT = re.compile(r'^sig1=\((?P<components>[^)]*)\)(?P<params>(;[a-z]+=("[^"]*"|\d+))*)$')
_PARAM = re.compile(r';([a-z]+)=("([^"]*)"|(\d+))')
_SIG = re.compile(r"^sig1=:(?P<sig>[A-Za-z0-9+/=]+):$")


def content_digest(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


def _query(query: str) -> str:
    return "?" + (query or "")


def _base(method: str, path: str, query: str, digest: str | None, params: str) -> bytes:
    lines = [f'"@method": {method.upper()}', f'"@path": {path}', f'"@query": {_query(query)}']
    if digest is not None:
        lines.append(f'"content-digest": {digest}')
    lines.append(f'"@signature-params": {params}')
    return "\n".join(lines).encode()


def _params(has_body: bool, created: int, keyid: str) -> str:
    comps = '"@method" "@path" "@query"' + (' "content-digest"' if has_body else "")
    return f'({comps});created={created};keyid="{keyid}";alg="ed25519"'


def sign(key: SigningKey, keyid: str, method: str, path: str, query: str, body: bytes | None,
         created: int | None = None) -> dict[str, str]:
    """Headers to add to a request: Signature-Input, Signature and, with a body, Content-Digest."""
    created = int(time.time()) if created is None else created
    digest = content_digest(body) if body else None
    params = _params(digest is not None, created, keyid)
    sig = key.sign_raw(_base(method, path, query, digest, params))
    headers = {"Signature-Input": f"{LABEL}={params}",
               "Signature": f"{LABEL}=:{base64.b64encode(sig).decode()}:"}
    if digest:
        headers["Content-Digest"] = digest
    return headers


def _parse_params(text: str) -> dict:
    return {k: (quoted if v.startswith('"') else int(num)) for k, v, quoted, num in _PARAM.findall(text)}


def signer_of(headers) -> str:
    """The keyid a request claims, before its key is looked up."""
    m = _INPUT.match(headers.get("signature-input") or "")
    if not m:
        raise BadSignature("the request carries no valid sig1 Signature-Input")
    keyid = _parse_params(m["params"]).get("keyid")
    if not keyid:
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
    m = _INPUT.match(headers.get("signature-input") or "")
    s = _SIG.match(headers.get("signature") or "")
    if not m or not s:
        raise BadSignature("the request carries no valid sig1 signature")
    params = _parse_params(m["params"])
    if params.get("alg") != "ed25519" or not isinstance(params.get("created"), int):
        raise BadSignature("the signature must use alg=ed25519 and carry created")
    expected = '"@method" "@path" "@query"' + (' "content-digest"' if signs_body else "")
    if m["components"] != expected:
        raise BadSignature(f"the signature must cover {expected}")
    digest = headers.get("content-digest") if signs_body else None
    if signs_body and not digest:
        raise BadSignature("Content-Digest does not match the body")
    params_text = m.group(0)[len(LABEL) + 1:]
    try:
        public_key(public_b64).verify(base64.b64decode(s["sig"]),
                                      _base(method, path, query, digest, params_text))
    except (InvalidSignature, ValueError):
        raise BadSignature("the request signature is invalid") from None
    now = time.time() if now is None else now
    if abs(now - params["created"]) > MAX_SKEW_S:
        raise ClockSkew("this device's clock differs from HQ's by more than 5 minutes",
                        hub_time=int(now * 1000))
