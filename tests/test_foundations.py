"""Canonical bytes, the clock, keys, the state machine, money and numbering: the pieces
every change and every screen relies on."""
import os
import stat

import pytest

from shared import money, numbering, orders
from shared.validation import ValidationError
from sync import keys
from sync.canonical import canonical_bytes, has_float, loads_strict
from sync.errors import BadSignature
from sync.hlc import HLC, from_wall, wall_ms


def test_canonical_bytes_are_sorted_compact_utf8():
    assert canonical_bytes({"b": 1, "a": "漏水"}) == '{"a":"漏水","b":1}'.encode()


def test_floats_are_found_and_refused():
    assert has_float({"a": [1, {"b": 2.0}]})
    assert not has_float({"a": [1, {"b": 2}]})
    with pytest.raises(ValueError):
        loads_strict(b'{"qty": 1.5}')
    with pytest.raises(ValueError):
        loads_strict(b'{"qty": NaN}')


def test_hlc_ticks_forward_even_when_the_wall_clock_jumps_back():
    wall = [1_000_000]
    clock = HLC(wall=lambda: wall[0])
    a = clock.tick()
    assert a == from_wall(1_000_000)
    wall[0] -= 60_000  # the tablet's clock is set back a minute
    b = clock.tick()
    assert b == a + 1 and wall_ms(b) == 1_000_000
    clock.observe(from_wall(2_000_000) + 5)
    assert clock.tick() == from_wall(2_000_000) + 6


def test_signatures_are_domain_separated(tmp_path):
    key = keys.SigningKey.generate()
    sig = key.sign(keys.SEGMENT, b"payload")
    keys.verify(key.public_b64, keys.SEGMENT, b"payload", sig)
    with pytest.raises(BadSignature):
        keys.verify(key.public_b64, keys.BUCKET, b"payload", sig)  # other purpose
    with pytest.raises(BadSignature):
        keys.verify(key.public_b64, keys.SEGMENT, b"payloaD", sig)
    with pytest.raises(BadSignature):
        keys.verify(keys.SigningKey.generate().public_b64, keys.SEGMENT, b"payload", sig)
    assert "=" not in sig and "=" not in key.public_b64


def test_private_key_file_is_0600_and_round_trips(tmp_path):
    key = keys.SigningKey.generate()
    path = tmp_path / "keys" / "node.key"
    key.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = keys.SigningKey.load(path)
    assert again.public_b64 == key.public_b64
    assert "PRIVATE" not in repr(again) and again.public_b64[:10] in repr(again)


def test_state_machine_has_exactly_the_named_transitions():
    S = orders.Status
    outlet = {(f, t) for (f, t), side in orders.TRANSITIONS.items() if side == orders.OUTLET}
    assert outlet == {(S.NEW, S.ACCEPTED), (S.NEW, S.DECLINED), (S.ACCEPTED, S.SCHEDULED),
                      (S.ACCEPTED, S.DECLINED), (S.SCHEDULED, S.EN_ROUTE), (S.EN_ROUTE, S.ON_SITE),
                      (S.ON_SITE, S.WAITING_PARTS), (S.WAITING_PARTS, S.SCHEDULED),
                      (S.ON_SITE, S.COMPLETED)}
    assert orders.can_transition("completed", "closed", orders.HUB)
    assert not orders.can_transition("completed", "closed", orders.OUTLET)
    assert not orders.can_transition("closed", "new", orders.HUB)
    assert not orders.can_transition("bogus", "new", orders.HUB)
    for terminal in orders.TERMINAL:
        assert orders.next_for(terminal, orders.HUB) == [] == orders.next_for(terminal, orders.OUTLET)


def test_money_is_integer_fen():
    assert money.yuan_to_fen("123.45") == 12345
    assert money.yuan_to_fen("¥1,200") == 120000
    assert money.yuan_to_fen("0.005") == 1
    assert money.fen_to_yuan(-1234) == "-12.34"
    with pytest.raises(ValidationError):
        money.yuan_to_fen("十块")


def test_numbers_are_per_outlet_and_node_letter():
    n = numbering.node_number("SH01", "B", 42)
    assert n == "SH01-B-000042"
    assert numbering.counter_of(n, "SH01", "B") == 42
    assert numbering.counter_of(n, "SH01", "A") is None
    assert [numbering.node_letter(i) for i in (0, 25, 26)] == ["A", "Z", "AA"]


def test_prefixed_numbers_count_too():
    assert numbering.counter_of("PR-SH01-B-000042", "SH01", "B") == 42
    assert numbering.counter_of("XSH01-B-000042", "SH01", "B") is None
