"""The protocol's test vectors (docs/vectors/*.json), held two ways:

- recomputed with the real code (sync.canonical, sync.change, sync.segment, sync.http_sig,
  sync.keys, sync.enrollment), they must equal the files, and the code's own readers (the
  hub's segment checks, a node's pull, the hub's request check) must accept them;
- verified from docs/protocol.md's rules alone, with other implementations: `cryptography`
  for Ed25519 over the documented bytes, `http-message-signatures` for RFC 9421, and
  `rfc8785` (JSON Canonicalization Scheme) where it is installed, so that the document, not
  only our code, is checked.

After a deliberate change of the protocol, write the files again with
`python -m tests.test_protocol_vectors --write` and say why in the commit."""
import base64
import datetime
import hashlib
import json
import sys
from pathlib import Path

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.tables import GLOBAL_BUCKET, outlet_bucket
from sync import http_sig, keys, segment
from sync.canonical import ZERO_HASH, canonical_bytes, loads_strict, sha256_hex
from sync.change import make_change
from sync.enrollment import decode_code, encode_code
from sync.errors import BadSignature
from sync.hlc import from_wall
from sync.node_store import NodeStore

VECTORS = Path(__file__).parent.parent / "docs" / "vectors"

# RFC 8032 section 7.1, TEST 1 and TEST 2: seeds whose public keys anyone can look up.
NODE_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
HUB_SEED = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
NODE_ID = "node-5f1c2e3d4b6a7980"
HUB_ID = "hub-0a1b2c3d4e5f"
OUTLET_ID = "9b2f6c1e-3a47-4d8e-b5c0-7e1f2a3b4c5d"
ACTOR_ID = "3c1d9e2f-7a6b-4c5d-8e9f-0a1b2c3d4e5f"
ORDER_ID = "5e8a1c2b-9d3f-4a6e-b7c8-d9e0f1a2b3c4"
MOVE_ID = "0f9e8d7c-6b5a-4938-a2b1-c0d9e8f7a6b5"
EVENT_ID = "7d6c5b4a-3928-4716-a5b4-c3d2e1f0a9b8"
PART_ID = "P-1001"
AT = 1771000000000  # 2026-02-13T16:26:40Z, epoch milliseconds
CREATED = AT // 1000  # a request signature's `created`, epoch seconds


def _key(seed_hex: str) -> keys.SigningKey:
    return keys.SigningKey(Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex)))


def _key_entry(seed_hex: str) -> dict:
    return {"seed_hex": seed_hex, "public_key": _key(seed_hex).public_b64}


def _bytes_entry(data: bytes) -> dict:
    return {"utf8": data.decode("utf-8"), "base64": base64.b64encode(data).decode(), "sha256": sha256_hex(data)}


def _signing_input(purpose: str, payload: bytes) -> bytes:
    """docs/protocol.md, Signatures: the bytes an Ed25519 signature of the protocol covers."""
    return b"fieldsync/v1/" + purpose.encode() + b"\n" + payload


def _signature_base(method: str, path: str, query: str, digest: str | None, params: str) -> str:
    """docs/protocol.md, Request signatures: the RFC 9421 signature base, line by line."""
    lines = [f'"@method": {method}', f'"@path": {path}', f'"@query": ?{query}']
    if digest is not None:
        lines.append(f'"content-digest": {digest}')
    return "\n".join(lines + [f'"@signature-params": {params}'])


# ---- the vectors, made with the real code ----

def node_changes() -> list[bytes]:
    first = make_change(
        origin=NODE_ID, epoch=1, seq=1, prev=ZERO_HASH, hlc=from_wall(AT), at=AT, actor=ACTOR_ID,
        outlet=OUTLET_ID, ops=[
            {"op": "put", "table": "service_orders", "id": ORDER_ID,
             "fields": {"notes": "换了压缩机\n客户说\"下午\"在家", "appointment_at": AT + 3_600_000}},
            {"op": "add", "table": "stock_moves", "id": MOVE_ID,
             "fields": {"outlet_id": OUTLET_ID, "part_id": PART_ID, "qty": -1, "kind": "consume",
                        "ref": ORDER_ID, "note": None, "at": AT}}])
    second = make_change(
        origin=NODE_ID, epoch=1, seq=2, prev=sha256_hex(first), hlc=from_wall(AT + 60_000) + 1,
        at=AT + 60_000, actor=ACTOR_ID, outlet=OUTLET_ID, ops=[
            {"op": "add", "table": "order_events", "id": EVENT_ID,
             "fields": {"order_id": ORDER_ID, "to_status": "completed", "reason": None,
                        "at": AT + 60_000, "actor_id": ACTOR_ID}}])
    return [first, second]


def change_vectors() -> dict:
    entries = [{"change": json.loads(line), "canonical": _bytes_entry(line)} for line in node_changes()]
    return {"about": "Two changes of one node's chain (epoch 1, seq 1 and 2): the decoded change, its "
                     "canonical bytes (UTF-8 text and base64) and their SHA-256, which is the change's "
                     "hash and the next change's prev. hlc is a 64-bit integer above 2^53: parse it "
                     "as an integer, not a double.",
            "changes": entries}


def push_segment() -> tuple[dict, str, bytes]:
    lines = node_changes()
    manifest = segment.manifest_for(hub=HUB_ID, origin_key="origin", origin=NODE_ID, epoch=1, first=1,
                                    lines=lines, prev=ZERO_HASH)
    sig = segment.sign_manifest(_key(NODE_SEED), keys.SEGMENT, manifest)
    return manifest, sig, segment.encode(manifest, sig, lines)


def pull_segment() -> tuple[bytes, dict, str, bytes]:
    line = make_change(
        origin=f"hub/{GLOBAL_BUCKET}", epoch=1, seq=1, prev=ZERO_HASH, hlc=from_wall(AT - 86_400_000),
        at=AT - 86_400_000, actor="hub", outlet=None, ops=[
            {"op": "put", "table": "parts", "id": PART_ID,
             "fields": {"sku": "YS-KFR35", "name": "压缩机 KFR-35GW", "category": "空调",
                        "unit_price": 68000, "active": True},
             "hlc": from_wall(AT - 86_400_000), "src": "hub"}])
    manifest = segment.manifest_for(hub=HUB_ID, origin_key="bucket", origin=GLOBAL_BUCKET, epoch=1, first=1,
                                    lines=[line], prev=ZERO_HASH, more=False, acked=2)
    sig = segment.sign_manifest(_key(HUB_SEED), keys.BUCKET, manifest)
    return line, manifest, sig, segment.encode(manifest, sig, [line])


def segment_vectors() -> dict:
    manifest, sig, body = push_segment()
    canonical = canonical_bytes(manifest)
    line, pmanifest, psig, pbody = pull_segment()
    pcanonical = canonical_bytes(pmanifest)
    return {
        "about": "A push segment (the two changes of change.json, signed by the node key, purpose "
                 "segment) and a pull segment (one change of the hub's global chain, signed by the hub "
                 "key, purpose bucket). signing_input = b\"fieldsync/v1/\" + purpose + b\"\\n\" + "
                 "manifest canonical bytes; signature = Ed25519(seed, signing_input), base64url "
                 "without padding. body = the NDJSON request or response body.",
        "node_key": _key_entry(NODE_SEED),
        "hub_key": _key_entry(HUB_SEED),
        "push": {"manifest": manifest, "manifest_canonical": _bytes_entry(canonical),
                 "signing_input_base64": base64.b64encode(_signing_input("segment", canonical)).decode(),
                 "signature": sig, "body": _bytes_entry(body)},
        "pull": {"bucket": GLOBAL_BUCKET, "change": json.loads(line), "change_canonical": _bytes_entry(line),
                 "manifest": pmanifest, "manifest_canonical": _bytes_entry(pcanonical),
                 "signing_input_base64": base64.b64encode(_signing_input("bucket", pcanonical)).decode(),
                 "signature": psig, "body": _bytes_entry(pbody)},
    }


def signed_requests() -> list[tuple[str, str, str, str, bytes | None]]:
    """(name, method, path, query, body) of the request vectors, the query as sent."""
    pull_query = httpx.URL("/", params={"bucket": outlet_bucket(OUTLET_ID), "after": 0, "limit": 1000}).query
    return [("hello", "GET", "/api/v1/sync/hello", "", None),
            ("pull", "GET", "/api/v1/sync/pull", pull_query.decode(), None),
            ("push", "POST", "/api/v1/sync/push", "", push_segment()[2])]


def request_vectors() -> dict:
    out = []
    for name, method, path, query, body in signed_requests():
        headers = http_sig.sign(_key(NODE_SEED), NODE_ID, method, path, query, body, CREATED)
        params = headers["Signature-Input"].removeprefix("sig1=")
        base = _signature_base(method, path, query, headers.get("Content-Digest"), params)
        out.append({"name": name, "method": method, "path": path, "query": query,
                    "body_base64": base64.b64encode(body).decode() if body else None,
                    "created": CREATED, "keyid": NODE_ID, "signature_base": base, "headers": headers})
    return {"about": "Requests signed with the node key (RFC 9421, label sig1, alg ed25519). "
                     "signature_base is the exact text signed (UTF-8, lines joined by \\n, no final "
                     "newline); Signature holds the Ed25519 signature in standard base64. The push "
                     "body is segment.json's push body, sent uncompressed.",
            "node_key": _key_entry(NODE_SEED), "requests": out}


def enrollment_vectors() -> dict:
    fields = {"url": "https://hq.example.cn:8443", "hub_id": HUB_ID,
              "cert_sha256": hashlib.sha256(b"the DER bytes of HQ's certificate").hexdigest(),
              "token": "Qm9vdHN0cmFwLXRva2VuLTAwMDAwMDAx"}
    code = encode_code(fields["url"], fields["hub_id"], fields["cert_sha256"], fields["token"])
    return {"about": "An enrollment code: base64url, without padding, of the canonical bytes of "
                     "{url, hub_id, cert_sha256, token}. cert_sha256 is the SHA-256 (lowercase hex) of "
                     "the DER bytes of the hub's TLS certificate; null for a plain-HTTP hub.",
            "fields": fields, "canonical": _bytes_entry(canonical_bytes(fields)), "code": code}


# (name, value, what RFC 8785 makes of it: "same" bytes, "differs", or "refuses")
CANONICAL_CASES = [
    ("keys sorted, no whitespace", {"b": [1, {"d": True, "c": None}], "a": "x"}, "same"),
    ("non-ASCII as UTF-8, control characters escaped", {"s": "网点\t\"引号\"\\ \u0001 \u007f \u2028 é /"}, "same"),
    ("integers up to 2^53 - 1", {"max": 9007199254740991, "min": -9007199254740991, "zero": 0}, "same"),
    ("an hlc: integers above 2^53 are written exactly", {"hlc": from_wall(AT)}, "refuses"),
    ("key order by code point, not UTF-16 code unit", {"\ue000": 1, "\U0001f600": 2}, "differs"),
]

# Text a hub or node refuses to decode (`bad_change` in a change line, `bad_request` in a body).
REFUSED_TEXT = [
    ("a float", b'{"qty":1.0}'),
    ("an exponent", b'{"qty":1e3}'),
    ("NaN", b'{"qty":NaN}'),
    ("a lone surrogate escape", b'{"s":"\\ud800"}'),
    ("invalid UTF-8", b'{"s":"\xff"}'),
    ("UTF-8-encoded surrogate", b'{"s":"\xed\xa0\x80"}'),
]


def canonical_vectors() -> dict:
    return {"about": "Canonical bytes of edge cases, and what RFC 8785 (JCS) makes of each: same bytes, "
                     "different bytes, or a refusal. refused: input (base64) that the receiver refuses "
                     "to decode.",
            "cases": [{"name": name, "value": value, "canonical": _bytes_entry(canonical_bytes(value)),
                       "rfc8785": jcs} for name, value, jcs in CANONICAL_CASES],
            "refused": [{"name": name, "base64": base64.b64encode(text).decode()} for name, text in REFUSED_TEXT]}


BUILDERS = {"change.json": change_vectors, "segment.json": segment_vectors, "request.json": request_vectors,
            "enrollment.json": enrollment_vectors, "canonical.json": canonical_vectors}


def vector(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def write_vectors() -> None:
    VECTORS.mkdir(parents=True, exist_ok=True)
    for name, build in BUILDERS.items():
        (VECTORS / name).write_text(json.dumps(build(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ---- (a) the code makes exactly the files, and reads them ----

@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_the_code_makes_the_vector_files(name):
    assert vector(name) == BUILDERS[name]()


def test_the_hub_accepts_the_push_segment():
    """What hub_handlers.push checks before applying anything, on the vector's body."""
    v = vector("segment.json")
    manifest, sig, lines = segment.split(base64.b64decode(v["push"]["body"]["base64"]))
    segment.check_manifest(manifest, lines, hub_id=HUB_ID, origin_key="origin", origin=NODE_ID)
    keys.verify(v["node_key"]["public_key"], keys.SEGMENT, canonical_bytes(manifest), sig)
    chain = segment.verify_chain(manifest, lines, NODE_ID)
    assert [h for h, _ in chain] == [c["canonical"]["sha256"] for c in vector("change.json")["changes"]]
    with pytest.raises(BadSignature):  # the other purpose, or the other key, does not verify
        keys.verify(v["node_key"]["public_key"], keys.BUCKET, canonical_bytes(manifest), sig)


def test_a_node_applies_the_pull_segment(tmp_path):
    v = vector("segment.json")
    store = NodeStore(tmp_path / "node.db")
    store.bind({"node_id": NODE_ID, "outlet_id": OUTLET_ID, "hub_id": HUB_ID,
                "hub_public_key": v["hub_key"]["public_key"], "node_letter": "A", "outlet_code": "SH01",
                "buckets": [outlet_bucket(OUTLET_ID), GLOBAL_BUCKET]})
    store.apply_pull(GLOBAL_BUCKET, base64.b64decode(v["pull"]["body"]["base64"]))
    parts = [(p["id"], p["name"], p["unit_price"]) for p in store.rows("parts")]
    assert parts == [(PART_ID, "压缩机 KFR-35GW", 68000)]
    assert store.cursor(GLOBAL_BUCKET) == (1, 1, v["pull"]["change_canonical"]["sha256"])
    store.close()


@pytest.mark.parametrize("index", range(3))
def test_the_hub_accepts_the_signed_requests(index):
    r = vector("request.json")["requests"][index]
    body = base64.b64decode(r["body_base64"]) if r["body_base64"] else b""
    headers = {k.lower(): v for k, v in r["headers"].items()}
    public = vector("request.json")["node_key"]["public_key"]
    http_sig.verify(public, r["method"], r["path"], r["query"], headers, body, now=r["created"])
    with pytest.raises(BadSignature):
        http_sig.verify(public, r["method"], r["path"] + "x", r["query"], headers, body, now=r["created"])


def test_the_enrollment_code_decodes_to_its_fields():
    v = vector("enrollment.json")
    assert decode_code(v["code"]) == v["fields"]


def test_the_receivers_refuse_the_refused_text():
    for case in vector("canonical.json")["refused"]:
        with pytest.raises(ValueError):
            loads_strict(base64.b64decode(case["base64"]))


# ---- (b) the document's rules, checked with other implementations ----

def _public(entry: dict) -> Ed25519PublicKey:
    raw = base64.urlsafe_b64decode(entry["public_key"] + "=" * (-len(entry["public_key"]) % 4))
    derived = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(entry["seed_hex"])).public_key()
    assert derived.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == raw
    return Ed25519PublicKey.from_public_bytes(raw)


def _unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _check_bytes(entry: dict) -> bytes:
    data = base64.b64decode(entry["base64"])
    assert data == entry["utf8"].encode("utf-8")
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    return data


def _b64u_of_hex(hex_key: str) -> str:
    return base64.urlsafe_b64encode(bytes.fromhex(hex_key)).rstrip(b"=").decode()


def test_the_test_keys_are_rfc_8032s():
    assert vector("segment.json")["node_key"]["public_key"] == _b64u_of_hex(
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    assert vector("segment.json")["hub_key"]["public_key"] == _b64u_of_hex(
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")


def test_changes_chain_by_the_sha256_of_their_bytes():
    changes = vector("change.json")["changes"]
    prev = "0" * 64
    for entry in changes:
        data = _check_bytes(entry["canonical"])
        assert json.loads(data) == entry["change"]
        assert entry["change"]["prev"] == prev
        prev = entry["canonical"]["sha256"]


@pytest.mark.parametrize("direction,purpose,key", [("push", "segment", "node_key"), ("pull", "bucket", "hub_key")])
def test_manifest_signatures_verify_over_the_documented_bytes(direction, purpose, key):
    v = vector("segment.json")
    seg = v[direction]
    canonical = _check_bytes(seg["manifest_canonical"])
    signing_input = b"fieldsync/v1/" + purpose.encode() + b"\n" + canonical
    assert base64.b64decode(seg["signing_input_base64"]) == signing_input
    _public(v[key]).verify(_unb64u(seg["signature"]), signing_input)
    with pytest.raises(InvalidSignature):
        _public(v[key]).verify(_unb64u(seg["signature"]), canonical)  # no purpose framing: no match
    # The body: the manifest line, then each change's bytes, each line ending in \n.
    lines = _check_bytes(seg["body"]).split(b"\n")
    assert lines[-1] == b""
    head = json.loads(lines[0])
    assert head == {"manifest": seg["manifest"], "sig": seg["signature"]}
    m = seg["manifest"]
    assert m["count"] == len(lines) - 2 == m["last"] - m["first"] + 1
    assert m["head"] == hashlib.sha256(lines[-2]).hexdigest()


def test_signed_requests_verify_with_http_message_signatures():
    import http_message_signatures as hms
    v = vector("request.json")
    public = _public(v["node_key"])
    resolver = hms.MappingKeyResolver(public_keys={NODE_ID: public}, private_keys={})
    verifier = hms.HTTPMessageVerifier(signature_algorithm=hms.algorithms.ED25519, key_resolver=resolver)
    signer = hms.HTTPMessageSigner(signature_algorithm=hms.algorithms.ED25519)
    for r in v["requests"]:
        body = base64.b64decode(r["body_base64"]) if r["body_base64"] else None
        url = f"https://hub.example{r['path']}" + (f"?{r['query']}" if r["query"] else "")
        if body:  # RFC 9530: sha-256 of the body bytes as sent, as a structured byte sequence
            assert r["headers"]["Content-Digest"] == \
                "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
        request = httpx.Request(r["method"], url, content=body, headers=r["headers"])
        results = verifier.verify(request, max_age=None, body=body)
        assert [x.label for x in results] == ["sig1"]
        # The library's own signature base for the same components and parameters.
        components = ["@method", "@path", "@query"] + (["content-digest"] if body else [])
        bare = httpx.Request(r["method"], url, content=body,
                             headers={"Content-Digest": r["headers"]["Content-Digest"]} if body else {})
        prepared = signer.prepare(bare, key_id=NODE_ID, covered_component_ids=components,
                                  created=datetime.datetime.fromtimestamp(r["created"], datetime.UTC),
                                  use_existing_digest=bool(body))
        assert prepared.signature_base == r["signature_base"].encode()
        assert r["headers"]["Signature-Input"] == f"sig1={prepared.signature_params}"
        signature = r["headers"]["Signature"].removeprefix("sig1=:").removesuffix(":")
        public.verify(base64.b64decode(signature), r["signature_base"].encode())


def test_enrollment_code_is_base64url_of_the_canonical_fields():
    v = vector("enrollment.json")
    data = _check_bytes(v["canonical"])
    assert "=" not in v["code"] and _unb64u(v["code"]) == data
    assert json.loads(data) == v["fields"]


def test_where_canonical_bytes_agree_with_rfc_8785():
    import rfc8785
    for case in vector("canonical.json")["cases"]:
        ours = _check_bytes(case["canonical"])
        assert json.loads(ours) == case["value"]
        if case["rfc8785"] == "refuses":
            with pytest.raises(rfc8785.CanonicalizationError):
                rfc8785.dumps(case["value"])
        else:
            assert (rfc8785.dumps(case["value"]) == ours) == (case["rfc8785"] == "same"), case["name"]
    manifest = vector("segment.json")["push"]["manifest"]  # small integers and ASCII: JCS gives the same
    assert rfc8785.dumps(manifest) == _check_bytes(vector("segment.json")["push"]["manifest_canonical"])


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.test_protocol_vectors --write   (rewrites docs/vectors/*.json)")
    write_vectors()
