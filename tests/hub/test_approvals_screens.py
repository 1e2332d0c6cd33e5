"""The approvals screens built over real services without a browser: the inbox lists each
kind of document, each detail shows its figures, and a refused decision is shown in words
(the browser test covers clicking through)."""
import flet as ft
import pytest

from shared.formatting import yuan
from hub.ui.text import t
from hub.ui.views.approvals import ApprovalsView
from tests.hub.outlet_node import enroll
from tests.hub.test_approvals_parts import cheap_and_dear, submit_request
from tests.hub.test_approvals_settlements import PERIOD, submitted_with_differences


class FakeShell:
    def __init__(self, services, session, lang="zh"):
        self.services, self.session, self.lang = services, session, lang
        self.errors, self.toasts = [], []

    def t(self, key, **params):
        return t(key, self.lang, **params)

    def run(self, fn, *args, done=None, **kwargs):
        from shared.errors import ServiceError
        try:
            return True, fn(*args, **kwargs)
        except ServiceError as exc:
            self.errors.append(exc.message(self.lang))
            return False, None

    def error(self, exc):
        self.errors.append(exc.message(self.lang))

    def toast(self, text):
        self.toasts.append(text)

    def render(self):
        """A screen asks to be shown again; these tests read its controls themselves."""


def texts(control) -> list[str]:
    """Every string a control tree shows (Text values, button contents, field labels)."""
    out = []

    def walk(c):
        if isinstance(c, ft.Text) and c.value:
            out.append(str(c.value))
        for name in ("content", "label", "title", "value"):
            v = getattr(c, name, None)
            if isinstance(v, str) and name != "value":
                out.append(v)
            elif isinstance(v, ft.Control):
                walk(v)
        for name in ("controls", "columns", "rows", "cells", "actions"):
            for child in getattr(c, name, None) or []:
                walk(child)
    walk(control)
    return out


def buttons(control) -> list:
    out = []

    def walk(c):
        if isinstance(c, (ft.FilledButton, ft.OutlinedButton, ft.TextButton)):
            out.append(c)
        for name in ("content",):
            v = getattr(c, name, None)
            if isinstance(v, ft.Control):
                walk(v)
        for name in ("controls", "rows", "cells", "actions"):
            for child in getattr(c, name, None) or []:
                walk(child)
    walk(control)
    return out


def click(control, text: str) -> None:
    [button] = [b for b in buttons(control) if b.content == text]
    button.on_click(None)


@pytest.fixture
def shop(hub, tmp_path):
    o = enroll(hub, tmp_path)
    yield o
    o.node.store.close()


def test_inbox_and_details_show_the_documents(services, approver, shop):
    cheap, _ = cheap_and_dear(services)
    rid = submit_request(shop, {cheap["id"]: 2})
    sid = shop.svc.settlements.draft(shop.clerk, PERIOD)
    shop.svc.settlements.submit(shop.clerk, sid)
    shop.sync()
    sh = FakeShell(services, approver)
    view = ApprovalsView(sh)
    shown = " ".join(texts(view.build()))
    assert "审批待办" in shown and PERIOD in shown and "配件申请" in shown and "待审批 2 件" in shown

    view._show("parts_requests", rid)
    shown = " ".join(texts(view.build()))
    assert "批准数量" in shown and "需1级审批" in shown and "近90天用量" in shown

    view._show("settlements", sid)
    shown = " ".join(texts(view.build()))
    assert "网点申报" in shown and "总部核算" in shown and "一致" in shown

    # Reject without a comment: refused in words, nothing decided; then approve with one.
    click(view.build(), "驳回")
    assert sh.errors == ["驳回时请填写审批意见。"]
    assert services.approvals.settlement(approver, sid).status == "submitted"
    view.comment = "核对无误"
    click(view.build(), "批准")
    assert sh.toasts == ["已批准"] and services.approvals.settlement(approver, sid).status == "approved"
    shown = " ".join(texts(view.build()))
    assert "核对无误" in shown and "审批记录" in shown and "批准" not in [b.content for b in buttons(view.build())]


def test_english_labels(services, approver):
    view = ApprovalsView(FakeShell(services, approver, "en"))
    shown = " ".join(texts(view.build()))
    assert "Approvals inbox" in shown and "Pending only" in shown


def test_the_settlement_review_says_why_an_amount_was_deducted(services, approver, shop, hub):
    sid, unhappy, _, _ = submitted_with_differences(shop, hub)
    review = services.approvals.settlement(approver, sid)
    line = next(x for x in review.lines if x.order_id == unhappy)
    assert line.hub.deduction > 0 and line.hub.reason == "unsatisfied"
    for lang, words in (("zh", "回访不满意"), ("en", "Unsatisfied callback")):
        view = ApprovalsView(FakeShell(services, approver, lang))
        view._show("settlements", sid)
        shown = texts(view.build())
        # the reason is a line of its own under the amount "outlet / HQ" of the unhappy order
        at = shown.index(f"{yuan(line.node.deduction)} / {yuan(line.hub.deduction)}")
        assert shown[at + 1] == words
