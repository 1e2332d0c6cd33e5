"""Parts requests: the draft being edited first — lines added by a part's SKU or name
(typed or scanned), quantities changed, lines removed —, the stock's suggestions below it,
a copy of last month's request, and a confirmation showing the total before a large
request goes to HQ; HQ's decision (status, approved quantities, comment) as it arrives.

Every edit updates the document in place (never the whole screen), so the page stays
where the clerk scrolled to; a sync round does not redraw a draft being edited."""
import flet as ft

from shared.formatting import when, yuan

from shared.ui import widgets as w

MAX_SHOWN_HITS = 8


def _int(text: str):
    try:
        return int((text or "").strip())
    except ValueError:
        return -1  # the service refuses it in words


class RequestsView:
    screen = "requests"

    def __init__(self, shell):
        self.shell = shell
        self.selected: str | None = None
        self._editing = False

    @property
    def live(self) -> bool:
        """A sync round redraws the screen, except over a draft being edited."""
        return not self._editing

    def build(self) -> ft.Control:
        sh = self.shell
        svc = sh.services.requests
        last = svc.last_month(sh.session)
        parts = [ft.Row([w.title(sh.t("requests")),
                         ft.FilledButton(sh.t("new_request"), icon=ft.Icons.ADD, on_click=self._new),
                         ft.OutlinedButton(sh.t("new_empty_request"), icon=ft.Icons.NOTE_ADD_OUTLINED,
                                           on_click=lambda e: self._new(e, suggested=False)),
                         ft.OutlinedButton(sh.t("copy_last_month", number=last.number) if last
                                           else sh.t("copy_last_month_none"), icon=ft.Icons.CONTENT_COPY,
                                           on_click=self._copy)], spacing=12, wrap=True)]
        requests = svc.all(sh.session)
        chosen = (next((r for r in requests if r.id == self.selected), None)
                  or next((r for r in requests if r.status == "draft"), None)
                  or (requests[0] if requests else None))
        self._editing = False
        if requests:
            parts.append(ft.Row([(ft.FilledTonalButton if r is chosen else ft.TextButton)(
                f"{r.number} · {r.status_label}", on_click=lambda e, i=r.id: self._select(i)) for r in requests],
                wrap=True))
        self._doc = ft.Column([])
        if chosen:
            view = svc.get(sh.session, chosen.id)
            self._editing = view.editable
            self._doc.controls = [self._document(view)]
        parts.append(self._doc)
        parts.append(self._suggestions())
        return ft.Column(parts, spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _suggestions(self) -> ft.Control:
        sh = self.shell
        sugg = sh.services.requests.suggestions(sh.session)
        return w.section(sh.t("suggested"), w.table(
            [sh.t("part"), "", sh.t("consumed_90"), sh.t("safety"), sh.t("on_hand"), sh.t("in_transit"),
             sh.t("suggested")],
            [[s.sku, s.name, s.consumed, s.safety_stock, s.on_hand, s.in_transit, s.suggested_qty]
             for s in sugg], numeric={2, 3, 4, 5, 6}) if sugg else w.muted(sh.t("none")))

    def _select(self, rid: str) -> None:
        self.selected = rid
        self.shell.render()

    def _new(self, e, suggested: bool = True) -> None:
        sh = self.shell
        ok, rid = sh.run(sh.services.requests.create_draft, sh.session, use_suggestions=suggested, done="saved")
        if ok:
            self.selected = rid
            sh.render()

    def _copy(self, e) -> None:
        sh = self.shell
        ok, rid = sh.run(sh.services.requests.copy_last_month, sh.session, done="saved")
        if ok:
            self.selected = rid
            sh.render()

    # ---- the document ----

    def _document(self, r) -> ft.Control:
        sh = self.shell
        rows = []
        self._amounts: dict[str, ft.Text] = {}  # by part, updated in place when a quantity changes
        for line in r.lines:
            if r.editable:
                qty = ft.TextField(value=str(line.qty), width=80, dense=True, text_align=ft.TextAlign.RIGHT,
                                   keyboard_type=ft.KeyboardType.NUMBER, label=line.sku, data=line)
                qty.on_submit = qty.on_blur = lambda e, rid=r.id: self._qty(rid, e.control)
                said = sh.t("remove_line", sku=line.sku)  # the button's name for screen readers (and tests)
                remove = ft.IconButton(ft.Icon(ft.Icons.DELETE_OUTLINE, semantics_label=said), tooltip=said,
                                       on_click=lambda e, rid=r.id, pid=line.part_id: self._remove(rid, pid))
            else:
                qty, remove = str(line.qty), ""
            self._amounts[line.part_id] = ft.Text(yuan(line.amount))
            rows.append([line.sku, line.name, line.suggested_qty if line.suggested_qty is not None else "", qty,
                         "" if line.approved_qty is None else line.approved_qty, self._amounts[line.part_id],
                         remove])
        self._total = ft.Text(self._total_text(r), weight=ft.FontWeight.W_600)
        head = [ft.Row([w.status_chip(r.status, r.status_label), self._total,
                        w.muted(when(r.submitted_at, sh.lang) if r.submitted_at else "")], spacing=16, wrap=True)]
        if r.comment:
            head.append(ft.Text(sh.t("labelled", k=sh.t("comment"), v=r.comment), color=ft.Colors.BLUE_900))
        card = w.section(r.number, *head, w.table(
            [sh.t("part"), "", sh.t("suggested"), sh.t("qty"), sh.t("approved_qty"), sh.t("amount"), ""], rows,
            numeric={2, 3, 4, 5}) if rows else w.muted(sh.t("no_lines")),
            actions=[ft.FilledButton(sh.t("submit"), icon=ft.Icons.SEND, visible=r.editable,
                                     on_click=lambda e: self._submit(r.id))])
        # the finder above the card, not in it: a text field inside a Card hides the card's
        # texts from the browser's accessibility tree (Flutter web)
        return ft.Column([self._finder(r.id), card], spacing=8) if r.editable else card

    def _finder(self, rid: str) -> ft.Control:
        """Type-ahead over the catalogue: hits as buttons; Enter (a scanner's) adds the
        exact SKU or the only hit."""
        sh = self.shell
        hits = ft.Row([], wrap=True, spacing=8)
        box = ft.TextField(label=sh.t("find_part"), dense=True, width=360, prefix_icon=ft.Icons.SEARCH)

        def show(e=None):
            found = sh.services.requests.find_parts(sh.session, box.value or "")
            hits.controls = [ft.OutlinedButton(f"{sh.t('add')} {h.sku} {h.name}", icon=ft.Icons.ADD,
                                               on_click=lambda e, pid=h.part_id: self._add(rid, pid))
                             for h in found[:MAX_SHOWN_HITS]]
            if (box.value or "").strip() and not found:
                hits.controls = [w.muted(sh.t("no_part_found"))]
            hits.update()
            return found

        def scanned(e):
            found = show()
            typed = (box.value or "").strip().casefold()
            exact = [h for h in found if h.sku.casefold() == typed]
            if len(exact) == 1 or len(found) == 1:
                self._add(rid, (exact or found)[0].part_id)

        box.on_change = show
        box.on_submit = scanned
        return ft.Column([box, hits], spacing=6)

    def _total_text(self, r) -> str:
        return self.shell.t("request_total", n=len(r.lines), total=yuan(r.total))

    def _redraw(self, r) -> None:
        """The document again, in place: the page keeps its scroll position."""
        self._doc.controls = [self._document(r)]
        self._doc.update()

    def _add(self, rid: str, part_id: str) -> None:
        sh = self.shell
        ok, r = sh.run(sh.services.requests.add_line, sh.session, rid, part_id)
        if ok:
            self._redraw(r)

    def _remove(self, rid: str, part_id: str) -> None:
        sh = self.shell
        ok, r = sh.run(sh.services.requests.remove_line, sh.session, rid, part_id)
        if ok:
            self._redraw(r)

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
        sh = self.shell
        r = sh.services.requests.get(sh.session, rid)
        if not r.large:
            self._send(rid)
            return

        def ok():
            self._send(rid)

        sh.show_form(w.form_dialog(sh.t("confirm_submit"), [
            ft.Text(sh.t("confirm_large_request", n=len(r.lines), total=yuan(r.total)))],
            sh.t("submit"), sh.t("cancel"), ok, width=sh.dialog_width(440)))

    def _send(self, rid: str) -> None:
        ok, _ = self.shell.run(self.shell.services.requests.submit, self.shell.session, rid, done="submitted")
        if ok:
            self.shell.render()
