"""Stocktakes: open one (optionally blind), enter counted quantities, see the variances,
submit; HQ's decision and comment show on the past counts."""
import flet as ft

from shared.formatting import when

from shared.ui import widgets as w


def _int(text: str):
    try:
        return int((text or "").strip())
    except ValueError:
        return -1  # the service refuses it in words


class StocktakeView:
    screen = "stocktake"

    def __init__(self, shell):
        self.shell = shell
        self.blind = False

    def build(self) -> ft.Control:
        sh = self.shell
        current = sh.services.stocktake.current(sh.session)
        parts = [w.title(sh.t("stocktake"))]
        if current is None:
            parts.append(w.section(sh.t("stocktake"), w.muted(sh.t("no_count")), ft.Row([
                ft.Checkbox(label=sh.t("blind"), value=self.blind,
                            on_change=lambda e: setattr(self, "blind", bool(e.control.value))),
                ft.FilledButton(sh.t("open_count"), icon=ft.Icons.PLAYLIST_ADD_CHECK, on_click=self._open)])))
        else:
            parts.append(self._sheet(current))
        history = [c for c in sh.services.stocktake.all(sh.session) if current is None or c.id != current.id]
        if history:
            parts.append(w.section(sh.t("past_counts"), *[ft.Row([
                ft.Text(when(c.started_at, sh.lang), width=150), w.status_chip(c.status, c.status_label),
                ft.Text(f"{sh.t('variance')}: " + ", ".join(f"{line.name} {line.variance:+d}" for line in c.lines
                                                            if line.variance) or "0"),
                w.muted(c.comment)], wrap=True) for c in history]))
        return ft.Column(parts, spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _open(self, e) -> None:
        ok, _ = self.shell.run(self.shell.services.stocktake.open, self.shell.session, blind=self.blind)
        if ok:
            self.shell.render()

    def _sheet(self, c) -> ft.Control:
        sh = self.shell
        self._variance: dict[str, ft.Text] = {}
        rows = []
        for line in c.lines:
            box = ft.TextField(value="" if line.counted is None else str(line.counted), width=90, dense=True,
                               keyboard_type=ft.KeyboardType.NUMBER, text_align=ft.TextAlign.RIGHT,
                               data=line, label=f"{line.sku}")
            box.on_submit = box.on_blur = lambda e, cid=c.id: self._enter(cid, e.control)
            variance = "" if line.variance is None else (f"{line.variance:+d}" if line.variance else "0")
            color = ft.Colors.RED_700 if line.variance else ft.Colors.GREEN_700
            self._variance[line.part_id] = ft.Text(variance, color=color, weight=ft.FontWeight.W_600)
            rows.append([line.sku, line.name, "—" if line.expected is None else line.expected, box,
                         self._variance[line.part_id]])
        self._info = w.muted(self._info_text(c))
        return w.section(
            f"{sh.t('stocktake')} · {c.status_label}", self._info,
            w.table([sh.t("part"), "", sh.t("expected"), sh.t("counted"), sh.t("variance")], rows),
            actions=[ft.FilledButton(sh.t("submit"), icon=ft.Icons.SEND, disabled=not c.editable,
                                     on_click=lambda e: self._submit(c.id))])

    def _info_text(self, c) -> str:
        sh = self.shell
        info = f"{when(c.started_at, sh.lang)}" + (f" · {sh.t('blind')}" if c.blind else "")
        return info + (f" · {sh.t('uncounted_n', n=c.uncounted)}" if c.uncounted else "")

    def _enter(self, count_id: str, box: ft.TextField) -> None:
        """Save one count and update its variance in place: the person keeps typing in
        the next field while this one is saved."""
        sh, line = self.shell, box.data
        if (box.value or "").strip() == ("" if line.counted is None else str(line.counted)):
            return
        ok, _ = sh.run(sh.services.stocktake.enter, sh.session, count_id, line.part_id, _int(box.value))
        if not ok:
            return
        c = sh.services.stocktake.get(sh.session, count_id)
        for fresh in c.lines:
            text = self._variance.get(fresh.part_id)
            if text is not None:
                text.value = "" if fresh.variance is None else (f"{fresh.variance:+d}" if fresh.variance else "0")
                text.color = ft.Colors.RED_700 if fresh.variance else ft.Colors.GREEN_700
            if fresh.part_id == line.part_id:
                box.data = fresh
        self._info.value = self._info_text(c)
        sh.page.update()

    def _submit(self, count_id: str) -> None:
        ok, _ = self.shell.run(self.shell.services.stocktake.submit, self.shell.session, count_id, done="submitted")
        if ok:
            self.shell.render()
