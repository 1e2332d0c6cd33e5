"""The hub reads Signature-Input and Signature as RFC 9651 Structured Fields: an equivalent
spelling of our profile is accepted, and whatever is valid RFC 9421 but not our profile
(a second label, a repeated one, a boolean `created`, a parameter on a component, a
Signature that is not one plain byte sequence) is refused as `bad_signature`."""
import base64

import pytest

from sync import http_sig
from sync.errors import BadSignature
from sync.keys import SigningKey

KEY = SigningKey.generate()
CREATED = 1_771_000_000
BASE_LINES = '"@method": GET\n"@path": /api/v1/sync/hello\n"@query": ?\n"@signature-params": '


def request(signature_input: str, params: str | None = None, signature: str | None = None) -> dict:
    """Headers with `signature_input`, signed over `params` (by default its sig1 member)."""
    params = params if params is not None else signature_input.removeprefix("sig1=")
    sig = base64.b64encode(KEY.sign_raw((BASE_LINES + params).encode())).decode()
    return {"signature-input": signature_input, "signature": signature or f"sig1=:{sig}:"}


def with_signature_parameter(headers: dict) -> dict:
    return {**headers, "signature": headers["signature"] + ";x=1"}


def check(headers: dict) -> None:
    http_sig.verify(KEY.public_b64, "GET", "/api/v1/sync/hello", "", headers, b"", now=CREATED)


PROFILE = f'("@method" "@path" "@query");created={CREATED};keyid="node-x";alg="ed25519"'


def test_the_profile_as_our_client_writes_it_and_with_its_parameters_reordered_is_accepted():
    ours = http_sig.sign(KEY, "node-x", "GET", "/api/v1/sync/hello", "", None, CREATED)
    assert ours["Signature-Input"] == f"sig1={PROFILE}"
    check({k.lower(): v for k, v in ours.items()})
    reordered = f'sig1=("@method" "@path" "@query");keyid="node-x";alg="ed25519";created={CREATED}'
    check(request(reordered))
    assert http_sig.signer_of(request(reordered)) == "node-x"


@pytest.mark.parametrize("headers", [
    request(f"sig1={PROFILE}, sig2={PROFILE}", PROFILE),
    request(f"sig1={PROFILE}, sig1={PROFILE}", PROFILE),
    request(f"sig1={PROFILE}".replace(f"created={CREATED}", "created=?1"),  # signed as RFC 9651 writes it
            PROFILE.replace(f"created={CREATED}", "created")),
    request(f"sig1={PROFILE}".replace('"@path"', '"@path";req')),
    request(f"sig1={PROFILE}".replace('"@query"', '"@query" "@authority"')),
    with_signature_parameter(request(f"sig1={PROFILE}")),
    request(f"sig1={PROFILE}", signature='sig1="not bytes"'),
    request(f"sig1={PROFILE}".replace("node-x", "节点")),
], ids=["second label", "repeated label", "boolean created", "component parameter", "extra component",
        "signature parameter", "signature not bytes", "not ascii"])
def test_what_is_not_the_profile_is_a_bad_signature(headers):
    with pytest.raises(BadSignature):
        check(headers)
