"""HQ's explanations (shared/notices.py): one key and its params, worded on each device in
its user's language, with the hub's own wording when a key is unknown or incomplete."""
import string

from shared import notices
from sync.errors import OpRefused


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_text_needs_only_what_its_english_names():
    """A hub fills in the params its English wording needs; the Chinese must not need more."""
    for key, (zh, en) in notices.DETAILS.items():
        assert placeholders(zh) <= placeholders(en), key


def test_a_refusal_in_both_languages_with_labels_and_a_fallback():
    r = OpRefused("not_owner", "hub_field", table="service_orders", field="status")
    assert r.message == "Service order: status is decided by HQ."  # the protocol's message
    assert notices.render(r.detail, "zh") == "“状态”由总部决定，网点不能修改。"
    assert notices.render({"key": "from_a_newer_hub", "params": {}}, "zh", "fallback") == "fallback"
    assert notices.render({"key": "bad_transition", "params": {"number": "HQ-1"}}, "zh", "fb") == "fb"
    assert notices.render(None, "en", "fb") == "fb"
    late = notices.detail("sla_overdue", number="HQ-7", milestone="on_site", late_ms=3 * 3_600_000 + 5 * 60_000)
    assert notices.render(late, "zh") == "SLA预警：工单HQ-7「上门」已超时3小时5分钟，已上报总部，请尽快处理。"
    assert notices.render(late, "en").startswith("SLA warning: order HQ-7 (On site) is 3 h 5 min overdue")
