"""HQ's approvals: the inbox of what the outlets submitted (parts requests, stocktakes,
settlements, receipt discrepancies; pending first) and one document at a time — its lines, HQ's recomputation with
the differences in red, approved quantities to edit, a comment, approve / reject. Thin over
hub/services/approvals.py: every rule and refusal is the service's, shown in words."""
import flet as ft

from shared.approvals import Difference, Subject
from shared.documents import Decision
from shared.formatting import when, yuan
from shared.labels import label
from shared.periods import local_date

from shared.ui import widgets as w

RED = ft.Colors.RED_800
GREY = ft.Colors.GREY_700


class ApprovalsView:
    screen = "ap_approvals"

    def __init__(self, shell):
        self.shell = shell
        self.subject: str | None = None        # inbox filter
        self.pending_only = False
        self.open: tuple[str, str] | None = None  # (subject, id) shown in detail
        self.comment = ""
        self.qty: dict[str, str] = {}          # parts request line id → typed approved quantity
        self.only_differences = False

    @property
    def api(self):
        return self.shell.services.approvals

    def build(self) -> ft.Control:
        if self.open:
            subject, doc_id = self.open
            body = {Subject.PARTS_REQUEST: self._parts, Subject.STOCK_COUNT: self._stocktake,
                    Subject.SETTLEMENT: self._settlement, Subject.RECEIPT: self._receipt}[subject](doc_id)
            return ft.Column([ft.TextButton(self.shell.t("ap_back"), icon=ft.Icons.ARROW_BACK, on_click=self._back),
                              *body], spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)
        return self._inbox()

    # ---- the inbox ----

    def _inbox(self) -> ft.Control:
        sh = self.shell
        items = sh.services.approvals.inbox(sh.session, self.subject, self.pending_only)
        pending = sum(1 for i in items if i.pending)
        choices = [(None, sh.t("ap_all"))] + [(str(s), label("table", str(s), sh.lang)) for s in Subject]
        filters = ft.Row([(ft.FilledTonalButton if self.subject == key else ft.TextButton)(
            text, on_click=lambda e, k=key: self._filter(k)) for key, text in choices]
            + [ft.Checkbox(label=sh.t("ap_pending_only"), value=self.pending_only, on_change=self._toggle_pending)],
            wrap=True)
        rows = [[i.subject_label, f"{i.outlet_code} {i.outlet_name}",
                 ft.TextButton(i.title, on_click=lambda e, it=i: self._show(it.subject, it.id)),
                 yuan(i.amount) if i.amount is not None else "", when(i.submitted_at, sh.lang),
                 w.status_chip(i.status, i.status_label)] for i in items]
        return ft.Column([
            ft.Row([w.title(sh.t("ap_inbox")), w.chip(sh.t("ap_pending_n", n=pending), ft.Colors.INDIGO_600)],
                   spacing=16),
            filters,
            w.table([sh.t("ap_kind"), sh.t("ap_outlet"), sh.t("ap_document"), sh.t("ap_amount"),
                     sh.t("ap_submitted"), sh.t("ap_status")], rows, numeric={3}) if rows
            else w.muted(sh.t("ap_nothing"))], spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _filter(self, key) -> None:
        self.subject = key
        self.shell.render()

    def _toggle_pending(self, e) -> None:
        self.pending_only = bool(e.control.value)
        self.shell.render()

    def _show(self, subject: str, doc_id: str) -> None:
        self.open, self.comment, self.qty = (subject, doc_id), "", {}
        self.shell.render()

    def _back(self, e=None) -> None:
        self.open = None
        self.shell.render()

    # ---- shared parts of a document ----

    def _decision_box(self, decidable: bool, on_decide) -> list[ft.Control]:
        sh = self.shell
        if not decidable:
            return []
        box = ft.TextField(label=sh.t("ap_comment"), value=self.comment, width=640,
                           on_change=lambda e: setattr(self, "comment", e.control.value or ""))
        return [ft.Row([box, w.muted(sh.t("ap_comment_hint"), size=13)], spacing=16), ft.Row([
            ft.FilledButton(sh.t("ap_approve"), icon=ft.Icons.CHECK, on_click=lambda e: on_decide(Decision.APPROVED)),
            ft.OutlinedButton(sh.t("ap_reject"), icon=ft.Icons.CLOSE, on_click=lambda e: on_decide(Decision.REJECTED),
                              style=ft.ButtonStyle(color=RED))], spacing=16)]

    def _history(self, history) -> ft.Control | None:
        sh = self.shell
        if not history:
            return None
        rows = [[when(h.at, sh.lang), h.approver or sh.t("ap_hub"),
                 sh.t("ap_level", n=h.level) if h.level else "", w.status_chip(
                     "approved" if h.decision == Decision.APPROVED else "rejected" if h.decision == Decision.REJECTED
                     else "submitted", h.decision_label), h.comment] for h in history]
        return w.section(sh.t("ap_history"), w.table([sh.t("ap_when"), sh.t("ap_approver"), sh.t("ap_level_col"),
                                                      sh.t("ap_decision"), sh.t("ap_comment")], rows))

    def _latest(self, history) -> list[ft.Control]:
        """HQ's latest word, near the top of a decided document."""
        sh = self.shell
        if not history:
            return []
        h = history[-1]
        who = h.approver or sh.t("ap_hub")
        return [ft.Text(sh.t("ap_latest", decision=h.decision_label, who=who, comment=h.comment or "—"),
                        color=ft.Colors.BLUE_900, weight=ft.FontWeight.W_500)]

    def _decided(self, ok: bool, result) -> None:
        if not ok:
            return
        status = getattr(result, "decision", result)
        key = {"approved": "ap_approved_done", "passed": "ap_passed_done"}.get(str(status), "ap_rejected_done")
        self.shell.toast(self.shell.t(key))
        self.comment = ""
        self.shell.render()

    def _head(self, title: str, status: str, status_label: str, *more: ft.Control) -> ft.Control:
        return ft.Row([w.title(title), w.status_chip(status, status_label), *more], spacing=16,
                      vertical_alignment=ft.CrossAxisAlignment.CENTER)

    # ---- a parts request ----

    def _parts(self, request_id: str) -> list[ft.Control]:
        sh = self.shell
        r = self.api.parts_request(sh.session, request_id)
        rows = []
        for line in r.lines:
            if r.decidable:
                box = ft.TextField(label=sh.t("ap_approved_qty_of", sku=line.sku),
                                   value=self.qty.get(line.line_id, str(line.approved_qty)), width=170, dense=True,
                                   text_align=ft.TextAlign.RIGHT, keyboard_type=ft.KeyboardType.NUMBER,
                                   on_change=(lambda e, lid=line.line_id:
                                              self.qty.__setitem__(lid, e.control.value or "")))
            else:
                box = str(line.approved_qty)
            low = line.on_hand < line.safety_stock
            rows.append([line.sku, line.name, line.qty, yuan(line.unit_price), yuan(line.amount),
                         ft.Text(str(line.on_hand), color=RED if low else None), line.safety_stock, line.consumed, box])
        head = self._head(f"{r.number} · {r.outlet_code} {r.outlet_name}", r.status, r.status_label)
        facts = [w.kv(sh.t("ap_submitted"), when(r.submitted_at, sh.lang)),
                 w.kv(sh.t("ap_note"), r.note),
                 ft.Text(sh.t("ap_request_total", amount=yuan(r.amount), approved=yuan(r.approved_amount)),
                         size=16, weight=ft.FontWeight.W_600),
                 ft.Text(sh.t("ap_levels", needed=r.levels_needed, next=r.next_level,
                                 limit=yuan(sh.services.settings.level_limits()[0])),
                         color=ft.Colors.INDIGO_800, visible=r.decidable),
                 *self._latest(r.history),
                 w.muted(sh.t("ap_version", hash=r.content_hash[:12]), size=12)]
        table = w.table([sh.t("ap_part"), "", sh.t("ap_requested"), sh.t("ap_unit_price"), sh.t("ap_line_amount"),
                         sh.t("ap_on_hand"), sh.t("ap_safety"), sh.t("ap_consumed"), sh.t("ap_approved_qty")],
                        rows, numeric={2, 3, 4, 5, 6, 7})

        def decide(decision):
            qty = {line.line_id: _int(self.qty.get(line.line_id, str(line.approved_qty))) for line in r.lines}
            ok, out = sh.run(self.api.decide_parts_request, sh.session, r.id, decision, self.comment,
                             qty if decision == Decision.APPROVED else None, r.content_hash)
            self._decided(ok, out)

        parts = [head, w.section(sh.t("ap_document"), *facts), *self._decision_box(r.decidable, decide),
                 w.section(sh.t("ap_part"), table)]
        history = self._history(r.history)
        return parts + ([history] if history else [])

    # ---- a stocktake ----

    def _stocktake(self, count_id: str) -> list[ft.Control]:
        sh = self.shell
        c = self.api.stocktake(sh.session, count_id)
        rows = []
        for line in c.lines:
            if not line.variance:
                continue
            handling = sh.t("ap_posted") if line.posted else sh.t("ap_auto") if line.auto else sh.t("ap_waits")
            big = not line.auto and not line.posted
            rows.append([line.sku, line.name, line.counted, "" if line.node_expected is None else line.node_expected,
                         line.expected,
                         ft.Text(f"{line.variance:+d}", color=RED if big else None,
                                 weight=ft.FontWeight.W_600 if big else None),
                         yuan(line.value), handling])
        day = local_date(c.started_at).isoformat() if c.started_at else ""
        head = self._head(sh.t("ap_stocktake_of", outlet=f"{c.outlet_code} {c.outlet_name}", day=day), c.status,
                          c.status_label)
        facts = [w.kv(sh.t("ap_submitted"), when(c.submitted_at, sh.lang)), w.kv(sh.t("ap_note"), c.note),
                 ft.Text(sh.t("ap_waiting_n", n=c.waiting), color=RED if c.waiting else None, visible=c.decidable),
                 *self._latest(c.history),
                 w.muted(sh.t("ap_version", hash=c.content_hash[:12]), size=12)]
        table = w.table([sh.t("ap_part"), "", sh.t("ap_counted"), sh.t("ap_node_expected"), sh.t("ap_hub_expected"),
                         sh.t("ap_variance"), sh.t("ap_value"), sh.t("ap_handling")], rows, numeric={2, 3, 4, 5, 6})

        def decide(decision):
            ok, out = sh.run(self.api.decide_stocktake, sh.session, c.id, decision, self.comment, c.content_hash)
            self._decided(ok, out)

        parts = [head, w.section(sh.t("ap_document"), *facts), *self._decision_box(c.decidable, decide),
                 w.section(sh.t("ap_variance"), table if rows else w.muted(sh.t("ap_no_differences")))]
        history = self._history(c.history)
        return parts + ([history] if history else [])

    # ---- a receipt discrepancy ----

    def _receipt(self, discrepancy_id: str) -> list[ft.Control]:
        sh = self.shell
        d = self.api.receipt(sh.session, discrepancy_id)
        rows = [[x.sku, x.name, x.shipped, x.received, x.damaged or "", x.extra or "",
                 ft.Text(str(x.short) if x.short else "", color=RED), yuan(x.value)] for x in d.lines]
        head = self._head(sh.t("ap_receipt_of", outlet=f"{d.outlet_code} {d.outlet_name}", number=d.number),
                          d.status, d.status_label)
        facts = [w.kv(sh.t("ap_reported"), when(d.reported_at, sh.lang)), w.kv(sh.t("ap_note"), d.note),
                 ft.Text(sh.t("ap_missing_value", value=yuan(d.value)), size=16, weight=ft.FontWeight.W_600),
                 w.muted(sh.t("ap_receipt_hint"), size=13, visible=d.decidable),
                 *self._latest(d.history),
                 w.muted(sh.t("ap_version", hash=d.content_hash[:12]), size=12)]
        table = w.table([sh.t("ap_part"), "", sh.t("ap_shipped"), sh.t("ap_received"), sh.t("ap_damaged"),
                         sh.t("ap_extra"), sh.t("ap_short"), sh.t("ap_value")], rows, numeric={2, 3, 4, 5, 6, 7})

        def decide(decision):
            ok, out = sh.run(self.api.decide_receipt, sh.session, d.id, decision, self.comment, d.content_hash)
            self._decided(ok, out)

        parts = [head, w.section(sh.t("ap_document"), *facts), *self._decision_box(d.decidable, decide),
                 w.section(sh.t("ap_part"), table)]
        history = self._history(d.history)
        return parts + ([history] if history else [])

    # ---- a settlement ----

    def _settlement(self, settlement_id: str) -> list[ft.Control]:
        sh = self.shell
        s = self.api.settlement(sh.session, settlement_id)
        lines = sorted(s.lines, key=lambda x: x.kind == Difference.SAME)  # differences first, order kept
        if self.only_differences:
            lines = [x for x in lines if x.kind != Difference.SAME]
        rows = [self._settlement_row(x) for x in lines]
        diff = s.hub_total - s.node_total
        head = self._head(sh.t("ap_settlement_of", outlet=f"{s.outlet_code} {s.outlet_name}", period=s.period),
                          s.status, s.status_label)
        facts = [w.kv(sh.t("ap_submitted"), when(s.submitted_at, sh.lang)),
                 ft.Text(sh.t("ap_totals", node=yuan(s.node_total), hub=yuan(s.hub_total), diff=yuan(diff)),
                         size=16, weight=ft.FontWeight.W_600, color=RED if diff else None),
                 ft.Text(sh.t("ap_differences_n", n=s.differences) if s.differences else sh.t("ap_no_differences"),
                         color=RED if s.differences else ft.Colors.GREEN_800),
                 *self._latest(s.history),
                 w.muted(sh.t("ap_version", hash=s.content_hash[:12]), size=12)]
        toggle = ft.Checkbox(label=sh.t("ap_only_differences"), value=self.only_differences,
                             on_change=self._toggle_differences)
        # 合计 right after the check: on a 1366×768 laptop the fee columns may run past the
        # screen's edge (the table scrolls sideways), never the line's total.
        table = w.table([sh.t("ap_order"), "", sh.t("ap_completed"), sh.t("ap_check"),
                         f"{sh.t('ap_total')} {sh.t('ap_node_vs_hub')}", sh.t("ap_visit"), sh.t("ap_labour"),
                         sh.t("ap_parts_fee"), sh.t("ap_deduction"), sh.t("ap_adjustment")], rows)

        def decide(decision):
            ok, out = sh.run(self.api.decide_settlement, sh.session, s.id, decision, self.comment, s.content_hash)
            self._decided(ok, out)

        parts = [head, w.section(sh.t("ap_document"), *facts), *self._decision_box(s.decidable, decide),
                 w.section(sh.t("ap_order"), table, actions=[toggle])]
        history = self._history(s.history)
        return parts + ([history] if history else [])

    def _settlement_row(self, x) -> list:
        sh = self.shell

        def pair(field: str):
            return _amounts(x, field)

        reason = (x.hub.reason if x.hub else "") or ""
        why = "、".join(sh.t(f"ap_reason_{r}") for r in reason.split("+") if r)
        check = x.kind_label + (f"（{why}）" if why and x.kind != Difference.SAME else "")
        color = None if x.kind == Difference.SAME else RED
        adjustment = yuan(x.node.adjustment) if x.node and x.node.adjustment else ""
        if x.adjustment_reason:
            adjustment += f"（{x.adjustment_reason}）"
        return [x.order_number, x.type_label, when(x.completed_at, sh.lang) if x.completed_at else "—",
                ft.Text(check, color=color), pair("total"),
                pair("visit_fee"), pair("labour_fee"), pair("parts_fee"), _deduction(x, sh.lang), adjustment]

    def _toggle_differences(self, e) -> None:
        self.only_differences = bool(e.control.value)
        self.shell.render()


def _amounts(x, field: str) -> ft.Text:
    """A settlement line's amount as the outlet claimed it / as HQ recomputed it, red where they differ."""
    n = getattr(x.node, field) if x.node else None
    h = getattr(x.hub, field) if x.hub else None
    text = f"{'—' if n is None else yuan(n)} / {'—' if h is None else yuan(h)}"
    red = field in x.differs or field == "total" and x.kind != Difference.SAME
    return ft.Text(text, color=RED if red else None, weight=ft.FontWeight.W_600 if red else None)


def _deduction(x, lang: str) -> ft.Control:
    """The deduction with its reason under it (HQ's reason, else the outlet's), so the approver
    sees why an amount was taken off without opening the order."""
    line = x.hub or x.node
    codes = [r for r in ((line.reason if line else "") or "").split("+") if r]
    if not codes:
        return _amounts(x, "deduction")
    words = ("、" if lang != "en" else ", ").join(label("deduction_reason", r, lang) for r in codes)
    return ft.Column([_amounts(x, "deduction"), ft.Text(words[:1].upper() + words[1:], size=12, color=GREY)],
                     spacing=0, tight=True)


def _int(text: str | None) -> int:
    """A typed quantity; anything but a whole number becomes -1, which the service refuses in words."""
    try:
        return int((text or "").strip())
    except ValueError:
        return -1
