"""Stocktakes: open one — of the whole store, of one category, of one shelf, or of the
parts that moved most (a cycle count), optionally blind —, enter counted quantities (Enter moves to the next
line), add a part found on the shelf by its SKU, fill the lines not counted with the book
quantity, see the variances and the lines whose part moved since the count opened, submit;
HQ's decision and comment show on the past counts.

While a count is open a sync round does not redraw the sheet (a number being typed would
be lost); each entry brings the sheet's variances and marks up to date in place."""
import flet as ft

from shared.formatting import when
from shared.stock import MOVED_DAYS, MOVED_TOP, CountScope

from shared.ui import widgets as w


def _int(text: str):
    try:
        return int((text or "").strip())
    except ValueError:
        return -1  # the service refuses it in words


def _show_variance(text: ft.Text, line) -> ft.Text:
    """A line's variance cell: "+2" or "-1" in red, "0" in green, empty until counted."""
    text.value = "" if line.variance is None else (f"{line.variance:+d}" if line.variance else "0")
    text.color = ft.Colors.RED_700 if line.variance else ft.Colors.GREEN_700
    return text


class StocktakeView:
    screen = "stocktake"

    def __init__(self, shell):
        self.shell = shell
        self.blind = False
        self._open_count = False

    @property
    def live(self) -> bool:
        return not self._open_count

    def build(self) -> ft.Control:
        sh = self.shell
        current = sh.services.stocktake.current(sh.session)
        self._open_count = current is not None and current.editable
        parts = [w.title(sh.t("stocktake"))]
        if current is None:
            parts.append(self._opener())
        else:
            if current.editable:
                parts.append(self._finder(current.id))
            parts.append(self._sheet(current))
        history = [c for c in sh.services.stocktake.all(sh.session) if current is None or c.id != current.id]
        if history:
            parts.append(w.section(sh.t("past_counts"), *[ft.Row([
                ft.Text(when(c.started_at, sh.lang), width=150), w.status_chip(c.status, c.status_label),
                ft.Text(c.scope_label), ft.Text(sh.t("labelled", k=sh.t("variance"), v=c.variances)),
                w.muted(c.comment)], wrap=True) for c in history]))
        return ft.Column(parts, spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _opener(self) -> ft.Control:
        """One tap opens a count of what the button says."""
        sh = self.shell
        scopes = [(sh.t("scope_all"), CountScope.ALL, None),
                  (sh.t("scope_moved", days=MOVED_DAYS, n=MOVED_TOP), CountScope.MOVED, None)]
        scopes += [(sh.t("scope_category", category=name), CountScope.CATEGORY, code)
                   for code, name in sh.services.stocktake.categories(sh.session)]
        shelves = [(sh.t("scope_shelf", shelf=name), CountScope.SHELF, name)
                   for name in sh.services.shelves.names(sh.session)]

        def buttons(items):
            return ft.Row([ft.OutlinedButton(text, icon=ft.Icons.PLAYLIST_ADD_CHECK,
                                             on_click=lambda e, s=scope, v=value: self._open(s, v))
                           for text, scope, value in items], wrap=True, spacing=8)
        return w.section(sh.t("open_count"), w.muted(sh.t("no_count")), ft.Text(sh.t("count_scope")),
                         buttons(scopes), ft.Text(sh.t("shelf")),
                         buttons(shelves) if shelves else w.muted(sh.t("no_shelves")),
            ft.Checkbox(label=sh.t("blind"), value=self.blind,
                        on_change=lambda e: setattr(self, "blind", bool(e.control.value))))

    def _open(self, scope: str, value: str | None) -> None:
        ok, _ = self.shell.run(self.shell.services.stocktake.open, self.shell.session, blind=self.blind,
                               scope=scope, value=value)
        if ok:
            self.shell.render()

    def _finder(self, count_id: str) -> ft.Control:
        """A part on the shelf that the sheet lacks, by its SKU (a scanner ends with Enter).
        Above the card, not in it: a text field inside a Card hides the card's texts from
        the browser's accessibility tree (Flutter web)."""
        sh = self.shell
        box = ft.TextField(label=sh.t("add_count_part"), dense=True, width=380, prefix_icon=ft.Icons.QR_CODE_SCANNER)

        def add(e):
            ok, _ = sh.run(sh.services.stocktake.add_part, sh.session, count_id, box.value or "")
            if ok:
                sh.render()

        box.on_submit = add
        return box

    def _sheet(self, c) -> ft.Control:
        sh = self.shell
        self._variance: dict[str, ft.Text] = {}
        self._moved: dict[str, ft.Container] = {}
        self._boxes: list[ft.TextField] = []
        rows = []
        for line in c.lines:
            box = ft.TextField(value="" if line.counted is None else str(line.counted), width=90, dense=True,
                               keyboard_type=ft.KeyboardType.NUMBER, text_align=ft.TextAlign.RIGHT,
                               data=line, label=f"{line.sku}", disabled=not c.editable)
            box.on_submit = self._on_submit(c.id)  # a coroutine function: Flet awaits it
            box.on_blur = lambda e, cid=c.id: self._enter(cid, e.control)
            self._boxes.append(box)
            self._variance[line.part_id] = _show_variance(ft.Text(weight=ft.FontWeight.W_600), line)
            self._moved[line.part_id] = ft.Container(self._mark() if line.moved else None)  # a cell stays visible
            rows.append([line.sku, line.name, line.shelf, "—" if line.expected is None else line.expected, box,
                         self._variance[line.part_id], self._moved[line.part_id]])
        self._info = w.muted(self._info_text(c))
        actions = [ft.FilledButton(sh.t("submit"), icon=ft.Icons.SEND, disabled=not c.editable,
                                   on_click=lambda e: self._submit(c.id))]
        if c.editable and not c.blind:
            actions.insert(0, ft.OutlinedButton(sh.t("fill_book"), icon=ft.Icons.DONE_ALL,
                                                on_click=lambda e: self._fill(c.id)))
        return w.section(
            f"{sh.t('stocktake')} · {c.status_label}", self._info,
            w.table([sh.t("part"), "", sh.t("shelf"), sh.t("expected"), sh.t("counted"), sh.t("variance"), ""],
                    rows),
            actions=actions)

    def _mark(self) -> ft.Control:
        return w.chip(self.shell.t("moved_since"), ft.Colors.AMBER_900)

    def _info_text(self, c) -> str:
        sh = self.shell
        info = f"{when(c.started_at, sh.lang)} · {c.scope_label}" + (f" · {sh.t('blind')}" if c.blind else "")
        return info + (f" · {sh.t('uncounted_n', n=c.uncounted)}" if c.uncounted else "")

    def _on_submit(self, count_id: str):
        async def submitted(e) -> None:
            await self._enter_and_next(count_id, e.control)
        return submitted

    async def _enter_and_next(self, count_id: str, box: ft.TextField) -> None:
        """Enter saves the line and moves to the next one, as on a paper sheet."""
        if not self._enter(count_id, box):
            return
        at = next((i for i, b in enumerate(self._boxes) if b is box), -1)
        if 0 <= at < len(self._boxes) - 1:
            await self._boxes[at + 1].focus()

    def _enter(self, count_id: str, box: ft.TextField) -> bool:
        """Save one count and update the sheet's variances and marks in place: the person
        keeps typing in the next field while this one is saved. False when refused."""
        sh, line = self.shell, box.data
        if (box.value or "").strip() == ("" if line.counted is None else str(line.counted)):
            return True
        ok, c = sh.run(sh.services.stocktake.enter, sh.session, count_id, line.part_id, _int(box.value))
        if not ok:
            return False
        self._refresh(c)
        return True

    def _refresh(self, c) -> None:
        for fresh in c.lines:
            text = self._variance.get(fresh.part_id)
            if text is not None:
                _show_variance(text, fresh)
            mark = self._moved.get(fresh.part_id)
            if mark is not None:
                mark.content = self._mark() if fresh.moved else None
        for box in self._boxes:
            fresh = next((x for x in c.lines if x.part_id == box.data.part_id), None)
            if fresh is not None:
                box.data = fresh
        self._info.value = self._info_text(c)
        self.shell.page.update()

    def _fill(self, count_id: str) -> None:
        ok, _ = self.shell.run(self.shell.services.stocktake.fill_book, self.shell.session, count_id)
        if ok:
            self.shell.render()

    def _submit(self, count_id: str) -> None:
        ok, _ = self.shell.run(self.shell.services.stocktake.submit, self.shell.session, count_id, done="submitted")
        if ok:
            self.shell.render()
