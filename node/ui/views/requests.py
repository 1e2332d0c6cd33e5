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
            parts.append(self._document(sh.services.requests.get(sh.session, chosen.id)))
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
        self._amounts: dict[str, ft.Text] = {}  # by part, updated in place when a quantity changes
        for line in r.lines:
            if r.editable:
                qty = ft.TextField(value=str(line.qty), width=80, dense=True, text_align=ft.TextAlign.RIGHT,
                                   keyboard_type=ft.KeyboardType.NUMBER, label=line.sku, data=line)
                qty.on_submit = qty.on_blur = lambda e, rid=r.id: self._qty(rid, e.control)
            else:
                qty = str(line.qty)
            self._amounts[line.part_id] = ft.Text(yuan(line.amount))
            rows.append([line.sku, line.name, line.suggested_qty if line.suggested_qty is not None else "", qty,
                         "" if line.approved_qty is None else line.approved_qty, self._amounts[line.part_id]])
        self._total = ft.Text(self._total_text(r))
        head = [ft.Row([w.status_chip(r.status, r.status_label), self._total,
                        w.muted(when(r.submitted_at, sh.lang) if r.submitted_at else "")], spacing=16)]
        if r.comment:
            head.append(ft.Text(sh.t("labelled", k=sh.t("comment"), v=r.comment), color=ft.Colors.BLUE_900))
        return w.section(r.number, *head, w.table(
            [sh.t("part"), "", sh.t("suggested"), sh.t("qty"), sh.t("approved_qty"), sh.t("amount")], rows,
            numeric={2, 3, 4, 5}) if rows else w.muted(sh.t("none")),
            actions=[ft.FilledButton(sh.t("submit"), icon=ft.Icons.SEND, visible=r.editable,
                                     on_click=lambda e: self._submit(r.id))])

    def _total_text(self, r) -> str:
        return self.shell.t("labelled", k=self.shell.t("amount"), v=yuan(r.total))

    def _qty(self, rid: str, box) -> None:
        """Save one quantity and update the amounts in place: the person keeps typing in
        the next field while this one is saved (a refused one shows its saved value again)."""
        sh = self.shell
        if (box.value or "").strip() == str(box.data.qty):
            return
        ok, r = sh.run(sh.services.requests.set_qty, sh.session, rid, box.data.part_id, _int(box.value))
        if not ok:
            box.value = str(box.data.qty)
            box.update()
            return
        for line in r.lines:
            amount = self._amounts.get(line.part_id)
            if amount is not None:
                amount.value = yuan(line.amount)
            if line.part_id == box.data.part_id:
                box.data = line
        self._total.value = self._total_text(r)
        sh.page.update()

    def _submit(self, rid: str) -> None:
        ok, _ = self.shell.run(self.shell.services.requests.submit, self.shell.session, rid, done="submitted")
        if ok:
            self.shell.render()
