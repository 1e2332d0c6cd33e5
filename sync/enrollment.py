"""Enrollment codes and certificate pinning. An admin hands an outlet one base64url string
of {"url", "hub_id", "cert_sha256", "token"}; the node trusts exactly the certificate
whose SHA-256 fingerprint the code names."""
import hashlib
import json
import socket
import ssl
from urllib.parse import urlsplit

from sync.canonical import canonical_bytes
from sync.keys import b64u, unb64u


class PinMismatch(Exception):
    """The hub presented another certificate than the enrollment code names."""


def encode_code(url: str, hub_id: str, cert_sha256: str | None, token: str) -> str:
    return b64u(canonical_bytes({"url": url, "hub_id": hub_id, "cert_sha256": cert_sha256, "token": token}))


def decode_code(code: str) -> dict:
    try:
        data = json.loads(unb64u(code.strip()))
    except (ValueError, TypeError):
        raise ValueError("这不是有效的注册码 (not a valid enrollment code)") from None
    if not isinstance(data, dict) or not {"url", "hub_id", "token"} <= set(data):
        raise ValueError("这不是有效的注册码 (not a valid enrollment code)")
    return data


def cert_fingerprint(pem: str) -> str:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


def fetch_pinned_cert(url: str, cert_sha256: str, timeout: float = 10) -> str:
    """Fetch the hub's certificate and return its PEM if its fingerprint is the pinned one."""
    parts = urlsplit(url)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # we verify by fingerprint, below
    with socket.create_connection((parts.hostname, parts.port or 443), timeout=timeout) as sock:
        with ctx.wrap_socket(sock, server_hostname=parts.hostname) as tls:
            der = tls.getpeercert(binary_form=True)
    if der is None:  # only without a handshake, which wrap_socket has done
        raise PinMismatch("HQ sent no certificate")
    if hashlib.sha256(der).hexdigest() != cert_sha256.lower():
        raise PinMismatch("HQ's certificate does not match the enrollment code: the connection "
                          "may be intercepted, or the code is for another hub")
    return ssl.DER_cert_to_PEM_cert(der)


def pinned_context(pem: str) -> ssl.SSLContext:
    """Trust exactly this certificate (and no public CA) for later connections."""
    ctx = ssl.create_default_context(cadata=pem)
    ctx.check_hostname = False  # the pin, not the name, is what we trust
    return ctx
