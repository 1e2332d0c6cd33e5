"""The protocol client over HTTPS (httpx): signs every request (RFC 9421), gzips pushes,
corrects its clock offset after `clock_skew`, trusts only the pinned hub certificate, and
turns the hub's error bodies back into SyncError exceptions."""
import gzip
import json
import time

import httpx

from sync import http_sig, keys
from sync.canonical import canonical_bytes
from sync.change import release_params
from sync.enrollment import pinned_context
from sync.errors import ClockSkew, SyncError, from_body
from sync.hlc import now_ms

API = "/api/v1"
GZIP_OVER = 1024


def _now() -> float:
    """This device's wall clock (a seam for tests of a tablet whose clock is off)."""
    return now_ms() / 1000


class HubUnreachable(Exception):
    """No answer from the hub (network down, hub stopped, timeout): retry later."""


def _client(base_url: str, cert_pem: str | None, timeout: float) -> httpx.Client:
    verify = pinned_context(cert_pem) if cert_pem else True
    return httpx.Client(base_url=base_url, verify=verify, timeout=timeout)


def enroll(base_url: str, cert_pem: str | None, request: dict, timeout: float = 15,
           client: httpx.Client | None = None) -> dict:
    with client or _client(base_url, cert_pem, timeout) as c:
        try:
            r = c.post(f"{API}/enroll", json=request)
        except httpx.TransportError as exc:
            raise HubUnreachable(f"HQ is unreachable: {exc.__class__.__name__}") from None
    if r.status_code >= 400:
        raise from_body(r.status_code, _json(r))
    return r.json()


def _json(r: httpx.Response) -> dict:
    try:
        return r.json()
    except ValueError:
        return {"error": {"code": "bad_response", "message": f"HTTP {r.status_code}"}}


class HttpTransport:
    def __init__(self, base_url: str, node_id: str, key: keys.SigningKey, cert_pem: str | None = None,
                 timeout: float = 30, client: httpx.Client | None = None):
        """`client` lets tests hand in an in-process client (Starlette's TestClient)."""
        self.node_id, self.key = node_id, key
        self.offset_s = 0.0  # hub time − our time, learnt from clock_skew
        self._c = client or _client(base_url, cert_pem, timeout)

    def close(self) -> None:
        self._c.close()

    def _send(self, method: str, path: str, params: dict | None = None, body: bytes | None = None,
              headers: dict | None = None, repeatable: bool = True) -> httpx.Response:
        url = httpx.URL(API + path, params=params)
        for attempt in (1, 2):
            created = int(_now() + self.offset_s)
            signed = http_sig.sign(self.key, self.node_id, method, url.path, url.query.decode(), body, created)
            r = self._request(method, url, body, {**(headers or {}), **signed}, repeatable)
            if r.status_code < 400:
                return r
            err = from_body(r.status_code, _json(r))
            hub_time = err.extra.get("hub_time")
            if isinstance(err, ClockSkew) and attempt == 1 and isinstance(hub_time, int):
                self.offset_s = hub_time / 1000 - _now()
                continue
            raise err
        raise AssertionError("unreachable")

    def _request(self, method: str, url: httpx.URL, body: bytes | None, headers: dict,
                 repeatable: bool) -> httpx.Response:
        """One request. HQ closes a keep-alive connection after a few idle seconds; a request
        sent on it just then dies with no answer (RemoteProtocolError) or a reset. Such a
        request is sent once more on a fresh connection when it is `repeatable`: reads, and
        pushes and uploads, which the protocol makes idempotent."""
        try:
            return self._c.request(method, url, content=body, headers=headers)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            if not repeatable:
                raise HubUnreachable(f"HQ is unreachable: {exc.__class__.__name__}") from None
        except httpx.TransportError as exc:
            raise HubUnreachable(f"HQ is unreachable: {exc.__class__.__name__}") from None
        try:
            return self._c.request(method, url, content=body, headers=headers)
        except httpx.TransportError as exc:
            raise HubUnreachable(f"HQ is unreachable: {exc.__class__.__name__}") from None

    def hello(self, pending: int | None = None) -> dict:
        params = release_params() if pending is None else {**release_params(), "pending": pending}
        params["node_time"] = int(_now() * 1000)  # this device's own clock, for HQ's drift column
        return self._send("GET", "/sync/hello", params=params).json()

    def push(self, body: bytes) -> dict:
        headers = {"Content-Type": "application/x-ndjson"}
        if len(body) > GZIP_OVER:
            body = gzip.compress(body, compresslevel=5)
            headers["Content-Encoding"] = "gzip"
        return self._send("POST", "/sync/push", body=body, headers=headers).json()

    def handback(self, bucket: str, body: bytes) -> dict:
        """HQ's lost changes of `bucket` back to HQ (docs/protocol.md "Hand-back")."""
        headers = {"Content-Type": "application/x-ndjson"}
        if len(body) > GZIP_OVER:
            body = gzip.compress(body, compresslevel=5)
            headers["Content-Encoding"] = "gzip"
        return self._send("POST", "/sync/handback", body=body, headers=headers).json()

    def pull(self, bucket: str, after: int, limit: int = 1000) -> bytes:
        return self._send("GET", "/sync/pull", params={"bucket": bucket, "after": after, "limit": limit}).content

    def put_blob(self, sha256: str, data: bytes) -> dict:
        return self._send("PUT", f"/blobs/{sha256}", body=data,
                          headers={"Content-Type": "application/octet-stream"}).json()

    def has_blob(self, sha256: str) -> bool:
        url = httpx.URL(f"{API}/blobs/{sha256}")
        signed = http_sig.sign(self.key, self.node_id, "HEAD", url.path, "", None, int(_now() + self.offset_s))
        try:
            r = self._c.request("HEAD", url, headers=signed)
        except httpx.TransportError as exc:
            raise HubUnreachable(f"HQ is unreachable: {exc.__class__.__name__}") from None
        if r.status_code in (200, 404):
            return r.status_code == 200
        raise from_body(r.status_code, {"error": {"code": "bad_response", "message": f"HTTP {r.status_code}"}})

    def get_blob(self, sha256: str) -> bytes:
        return self._send("GET", f"/blobs/{sha256}").content

    # ---- device administration (an outlet's PC; docs/protocol.md "Device administration") ----
    # `lang`: the language of a refusal's message (the person who asked reads it).

    def device_code(self, technician_id: str, lang: str = "zh") -> dict:
        body = canonical_bytes({"technician_id": technician_id})
        return self._send("POST", "/devices/codes", body=body, headers=_json_headers(lang),
                          repeatable=False).json()  # a second try would make a second code

    def devices(self, lang: str = "zh") -> list[dict]:
        return self._send("GET", "/devices", headers={"Accept-Language": lang}).json()["devices"]

    def retire_device(self, node_id: str, lang: str = "zh") -> dict:
        return self._send("POST", f"/devices/{node_id}/retire", body=b"{}", headers=_json_headers(lang)).json()

    def rotate(self, new_key: keys.SigningKey) -> dict:
        rotation = {"node_id": self.node_id, "new_public_key": new_key.public_b64, "at": int(time.time() * 1000)}
        body = canonical_bytes({"rotation": rotation, "sig": self.key.sign(keys.ROTATE, canonical_bytes(rotation))})
        out = self._send("POST", "/nodes/rotate", body=body, headers={"Content-Type": "application/json"},
                         repeatable=False).json()  # applied but unanswered: node.rotate settles it
        self.key = new_key
        return out


def _json_headers(lang: str) -> dict:
    return {"Content-Type": "application/json", "Accept-Language": lang}


__all__ = ["HttpTransport", "HubUnreachable", "enroll", "SyncError", "json"]
