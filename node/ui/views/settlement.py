"""The monthly fee settlement: build the draft for a period, look at its lines, adjust a
line with a reason, submit; HQ's status and comment show as they arrive. It opens on last
month, the one an outlet settles now (the current month is still being worked)."""
import flet as ft

from shared.formatting import when, yuan
from shared.money import yuan_to_fen
from shared.periods import previous_period
from shared.validation import ValidationError
from sync.hlc import now_ms

from node.services import ServiceError
from node.services.settlement import LINES_PAGE
from shared.ui import widgets as w


class SettlementView:
    screen = "settlement"

    def __init__(self, shell):
        self.shell = shell
        self.period = previous_period(now_ms())
        self.selected: str | None = None
        self.offset = 0  # the first line shown of the chosen settlement

    def build(self) -> ft.Control:
        sh = self.shell
        all_ = sh.services.settlements.all(sh.session)
        period = ft.TextField(label=sh.t("period"), value=self.period, width=200, dense=True,
                              on_change=lambda e: setattr(self, "period", e.control.value.strip()),
                              on_submit=lambda e: self._select(None, e.control.value.strip()))
        top = ft.Row([w.title(sh.t("settlement")), period,
                      ft.FilledButton(sh.t("build_draft"), icon=ft.Icons.CALCULATE, on_click=self._draft)], spacing=16)
        chosen = next((s for s in all_ if s.id == self.selected), None) or next(
            (s for s in all_ if s.period == self.period), None)
        tabs = ft.Row([(ft.FilledTonalButton if chosen and s.id == chosen.id else ft.TextButton)(
            f"{s.period} · {s.status_label}", on_click=lambda e, i=s.id, p=s.period: self._select(i, p))
            for s in all_], wrap=True)
        body = [top, tabs]
        if chosen:
            body.append(self._document(sh.services.settlements.get(sh.session, chosen.id, offset=self.offset)))
        else:
            body.append(w.muted(sh.t("no_settlement", period=self.period)))
        return ft.Column(body, spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _select(self, sid: str | None, period: str) -> None:
        self.selected, self.period, self.offset = sid, period, 0
        self.shell.render()

    def _page(self, offset: int) -> None:
        self.offset = offset
        self.shell.render()

    def _draft(self, e) -> None:
        ok, sid = self.shell.run(self.shell.services.settlements.draft, self.shell.session, self.period, done="saved")
        if ok:
            self.selected, self.offset = sid, 0
            self.shell.render()

    def _document(self, s) -> ft.Control:
        sh = self.shell
        rows = []
        for line in s.lines:
            adjust = ft.TextButton(sh.t("adjust"), on_click=lambda e, line=line: self._adjust(s, line)) \
                if s.editable else ft.Text("")
            rows.append([line.order_number, line.type_label, when(line.completed_at, sh.lang), yuan(line.visit_fee),
                         yuan(line.labour_fee), yuan(line.parts_fee), yuan(-line.deduction) if line.deduction else "",
                         yuan(line.adjustment) if line.adjustment else "",
                         ft.Text(yuan(line.total), weight=ft.FontWeight.W_600),
                         line.note, adjust])
        head = [ft.Row([w.status_chip(s.status, s.status_label),
                        ft.Text(sh.t("labelled", k=sh.t("amount"), v=yuan(s.total)), size=17,
                                weight=ft.FontWeight.W_600),
                        w.muted(when(s.submitted_at, sh.lang) if s.submitted_at else "")], spacing=16)]
        if s.comment:
            head.append(ft.Text(sh.t("labelled", k=sh.t("comment"), v=s.comment), color=ft.Colors.BLUE_900))
        for a in s.approvals:
            head.append(w.muted(f"{when(a.at, sh.lang)} {a.decision_label} {a.comment}", size=13))
        return w.section(
            f"{sh.t('settlements')} {s.period}", *head,
            w.table([sh.t("order_col"), sh.t("type_filter"), sh.t("completed_at"), sh.t("visit_fee"),
                     sh.t("labour_fee"),
                     sh.t("parts_fee"), sh.t("deduction"), sh.t("adjustment"), sh.t("line_total"), sh.t("reason"), ""],
                    rows),
            w.pager(sh.t, s.line_offset, LINES_PAGE, s.line_count, self._page),
            actions=[ft.FilledButton(sh.t("submit"), icon=ft.Icons.SEND, visible=s.editable,
                                     on_click=lambda e: self._submit(s.id))])

    def _adjust(self, s, line) -> None:
        sh = self.shell
        amount = ft.TextField(label=sh.t("adjust_yuan"),
                              value=f"{line.adjustment / 100:.2f}" if line.adjustment else "",
                              autofocus=True)
        reason = ft.TextField(label=sh.t("reason"), value=line.adjustment_reason)

        def ok():
            try:
                fen = yuan_to_fen(amount.value or "0") if (amount.value or "").strip() else 0
            except ValidationError:
                return sh.t("bad_amount")
            try:
                sh.services.settlements.adjust(sh.session, s.id, line.order_id, fen, reason.value or "")
            except ServiceError as exc:
                return exc.message(sh.lang)
            sh.render()
            return None
        sh.show_form(w.form_dialog(f"{line.order_number} · {sh.t('adjust')}", [amount, reason],
                                          sh.t("confirm"), sh.t("cancel"), ok))

    def _submit(self, sid: str) -> None:
        ok, _ = self.shell.run(self.shell.services.settlements.submit, self.shell.session, sid, done="submitted")
        if ok:
            self.shell.render()
