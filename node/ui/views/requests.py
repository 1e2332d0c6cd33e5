"""Parts requests: what the stock suggests, a draft filled with it, quantities edited,
submitted; HQ's decision (status, approved quantities, comment) as it arrives."""
import flet as ft

from shared.formatting import when, yuan

from shared.ui import widgets as w


def _int(text: str):
    try:
        return int((text or "").strip())
    except ValueError:
        return -1


class RequestsView:
    screen = "requests"

    def __init__(self, shell):
        self.shell = shell
        self.selected: str | None = None

    def build(self) -> ft.Control:
        sh = self.shell
        sugg = sh.services.requests.suggestions(sh.session)
        parts = [ft.Row([w.title(sh.t("requests")),
                         ft.FilledButton(sh.t("new_request"), icon=ft.Icons.ADD, on_click=self._new)], spacing=24),
                 w.section(sh.t("suggested"), w.table(
                     [sh.t("part"), "", sh.t("consumed_90"), sh.t("safety"), sh.t("on_hand"), sh.t("in_transit"),
                      sh.t("suggested")],
                     [[s.sku, s.name, s.consumed, s.safety_stock, s.on_hand, s.in_transit, s.suggested_qty]
                      for s in sugg], numeric={2, 3, 4, 5, 6}) if sugg else w.muted(sh.t("none")))]
        requests = sh.services.requests.all(sh.session)
        chosen = next((r for r in requests if r.id == self.selected), None) or (requests[0] if requests else None)
        if requests:
            parts.append(ft.Row([(ft.FilledTonalButton if r is chosen else ft.TextButton)(
                f"{r.number} · {r.status_label}", on_click=lambda e, i=r.id: self._select(i)) for r in requests],
                wrap=True))
        if chosen:
            parts.append(self._document(chosen))
        return ft.Column(parts, spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _select(self, rid: str) -> None:
        self.selected = rid
        self.shell.render()

    def _new(self, e) -> None:
        ok, rid = self.shell.run(self.shell.services.requests.create_draft, self.shell.session, done="saved")
        if ok:
            self.selected = rid
            self.shell.render()

    def _document(self, r) -> ft.Control:
        sh = self.shell
        rows = []
        for line in r.lines:
            if r.editable:
                qty = ft.TextField(value=str(line.qty), width=80, dense=True, text_align=ft.TextAlign.RIGHT,
                                   keyboard_type=ft.KeyboardType.NUMBER, label=line.sku, data=line)
                qty.on_submit = qty.on_blur = lambda e, rid=r.id: self._qty(rid, e.control)
            else:
                qty = str(line.qty)
            rows.append([line.sku, line.name, line.suggested_qty if line.suggested_qty is not None else "", qty,
                         "" if line.approved_qty is None else line.approved_qty, yuan(line.amount)])
        head = [ft.Row([w.status_chip(r.status, r.status_label), ft.Text(f"{sh.t('amount')}: {yuan(r.total)}"),
                        w.muted(when(r.submitted_at, sh.lang) if r.submitted_at else "")], spacing=16)]
        if r.comment:
            head.append(ft.Text(f"{sh.t('comment')}：{r.comment}", color=ft.Colors.BLUE_900))
        return w.section(r.number, *head, w.table(
            [sh.t("part"), "", sh.t("suggested"), sh.t("qty"), sh.t("approved_qty"), sh.t("amount")], rows,
            numeric={2, 3, 4, 5}) if rows else w.muted(sh.t("none")),
            actions=[ft.FilledButton(sh.t("submit"), icon=ft.Icons.SEND, visible=r.editable,
                                     on_click=lambda e: self._submit(r.id))])

    def _qty(self, rid: str, box) -> None:
        if (box.value or "").strip() == str(box.data.qty):
            return
        self.shell.run(self.shell.services.requests.set_qty, self.shell.session, rid, box.data.part_id, _int(box.value))
        self.shell.render()

    def _submit(self, rid: str) -> None:
        ok, _ = self.shell.run(self.shell.services.requests.submit, self.shell.session, rid, done="submitted")
        if ok:
            self.shell.render()
