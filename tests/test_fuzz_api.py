"""API fuzzing with schemathesis against the hub's own OpenAPI: whatever a client sends,
no 5xx, and every error in the protocol's shape. Each generated request goes out twice:
as generated (unsigned) and signed by a real enrolled node, so the fuzzing reaches past
authentication. Random bodies go to the endpoints that read raw bytes."""
import json
import os
import tempfile
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from starlette.testclient import TestClient

from hub.app import create_app
from sync import hub_handlers, http_sig
from sync.keys import SigningKey
from fieldsync.testing.world import World

EXAMPLES = int(os.environ.get("FIELDSYNC_FUZZ_EXAMPLES", "30"))
_world = World(Path(tempfile.mkdtemp(prefix="fieldsync-fuzz-")))
APP = create_app(_world.hub)
CLIENT = TestClient(APP, raise_server_exceptions=False)
KEY = SigningKey.generate()
NODE_ID = hub_handlers.enroll(_world.hub, {"token": _world.hub.create_enroll_token(_world.outlets[0]),
                                           "public_key": KEY.public_b64})["node_id"]
SCHEMA = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
OPERATIONS = [op.ok() for op in SCHEMA.get_all_operations()]
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


def assert_protocol_shape(response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400 and response.request.method != "HEAD":  # HEAD has no body
        body = response.json()
        assert isinstance(body["error"]["code"], str) and body["error"]["code"]
        assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def send(kwargs: dict, sign: bool):
    parts = urlsplit(kwargs["url"])
    params = kwargs.get("params") or {}
    query = urlencode(params, doseq=True)
    body = kwargs.get("content") or kwargs.get("data") or (
        json.dumps(kwargs["json"]).encode() if "json" in kwargs else None)
    if isinstance(body, str):
        body = body.encode()
    headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if isinstance(v, str)}
    if sign:
        headers.update(http_sig.sign(KEY, NODE_ID, kwargs["method"], parts.path, query, body or None))
    url = parts.path + (f"?{query}" if query else "")
    return CLIENT.request(kwargs["method"], url, content=body, headers=headers)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_no_5xx_and_errors_in_protocol_shape(operation):
    @FUZZ
    @given(case=operation.as_strategy(), sign=st.booleans())
    def run(case, sign):
        assert_protocol_shape(send(case.as_transport_kwargs(base_url="http://testserver"), sign))
    run()


@pytest.mark.parametrize("path", ["/api/v1/sync/push", "/api/v1/enroll", "/api/v1/nodes/rotate"])
def test_random_bodies_are_refused_cleanly(path):
    @FUZZ
    @given(body=st.one_of(st.binary(max_size=2048),
                          st.text(max_size=512).map(str.encode),
                          st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                                       lambda c: st.lists(c, max_size=4)
                                       | st.dictionaries(st.text(max_size=8), c, max_size=4),
                                       max_leaves=12).map(lambda v: json.dumps(v).encode())),
           gzip_header=st.booleans())
    def run(body, gzip_header):
        headers = http_sig.sign(KEY, NODE_ID, "POST", path, "", body or None)
        if gzip_header:
            headers["Content-Encoding"] = "gzip"
        assert_protocol_shape(CLIENT.post(path, content=body, headers=headers))
    run()
    assert _world.hub.node(NODE_ID)["seq"] == 0  # nothing random was ever taken as a change
