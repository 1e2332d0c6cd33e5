"""Receiving one shipment line by line: its lines with the shipped quantity, what arrived
in good order (filled with the shipped quantity), damaged and extra pieces per line, the
shortfall worked out as the clerk types; a SKU typed or scanned narrows the lines to that
part (Enter jumps to its quantity). Confirming books the good pieces into the store and,
when anything differs, shows the differences first: they go to HQ, which settles them.

What the clerk typed is kept per line while the lines are narrowed; nothing is written
until the confirmation."""
import flet as ft

from node.services.receiving import Arrived, DiscrepancyLine, describe
from shared.ui import widgets as w

FIELDS = ("received", "damaged", "extra")


def _int(text: str):
    try:
        return int((text or "").strip() or "0")
    except ValueError:
        return -1  # the service refuses it in words


class ReceivingView:
    screen = "stock"
    live = False  # a sync round must not drop what the clerk is typing

    def __init__(self, shell, request_id: str, back):
        self.shell = shell
        self.request_id = request_id
        self.back = back
        self.typed: dict[tuple[str, str], str] = {}   # (line id, field) → text
        self.find = ""

    def build(self) -> ft.Control:
        sh = self.shell
        s = sh.services.receiving.shipment(sh.session, self.request_id)
        self.shipment = s
        self._table = ft.Column([])
        finder = ft.TextField(label=sh.t("find_line"), value=self.find, dense=True, width=380,
                              prefix_icon=ft.Icons.QR_CODE_SCANNER, on_change=self._narrow)
        finder.on_submit = self._jump
        self._boxes: dict[tuple[str, str], ft.TextField] = {}
        self._short: dict[str, ft.Text] = {}
        self._draw_lines()
        head = ft.Row([ft.TextButton(sh.t("back"), icon=ft.Icons.ARROW_BACK, on_click=self._back),
                       w.title(sh.t("receive_title", number=s.number))], spacing=12, wrap=True)
        card = w.section(sh.t("receive_lines_n", n=len(s.lines)), w.muted(sh.t("receive_hint")), self._table,
                         actions=[ft.FilledButton(sh.t("confirm_receipt"), icon=ft.Icons.MOVE_TO_INBOX,
                                                  on_click=self._confirm)])
        return ft.Column([head, finder, card], spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    # ---- the lines ----

    def _matches(self, line) -> bool:
        key = "".join(ch for ch in self.find.casefold() if ch not in " -_/.")
        if not key:
            return True
        sku = "".join(ch for ch in line.sku.casefold() if ch not in " -_/.")
        return key in sku or key in line.name.casefold()

    def _draw_lines(self) -> None:
        sh = self.shell
        rows = []
        for line in self.shipment.lines:
            if not self._matches(line):
                continue
            cells = [line.sku, line.name, line.approved_qty]
            for field in FIELDS:
                key = (line.line_id, field)
                box = self._boxes.get(key)
                if box is None:
                    box = ft.TextField(value=self.typed.get(key, self._default(line, field)), width=84,
                                       dense=True, text_align=ft.TextAlign.RIGHT, keyboard_type=ft.KeyboardType.NUMBER,
                                       label=sh.t(f"{field}_of", sku=line.sku), data=(line, field),
                                       on_change=self._typed)
                    self._boxes[key] = box
                cells.append(box)
            self._short[line.line_id] = self._short.get(line.line_id) or ft.Text(weight=ft.FontWeight.W_600)
            self._show_short(line)
            cells.append(self._short[line.line_id])
            rows.append(cells)
        self._table.controls = [w.table(
            [sh.t("part"), "", sh.t("shipped"), sh.t("received"), sh.t("damaged"), sh.t("extra"), sh.t("short")],
            rows, numeric={2}) if rows else w.muted(sh.t("no_line_found"))]

    @staticmethod
    def _default(line, field: str) -> str:
        return str(line.approved_qty) if field == "received" else "0"

    def _value(self, line, field: str) -> int:
        return _int(self.typed.get((line.line_id, field), self._default(line, field)))

    def _show_short(self, line) -> None:
        short = line.approved_qty - max(0, self._value(line, "received")) - max(0, self._value(line, "damaged"))
        text = self._short[line.line_id]
        text.value = str(short) if short > 0 else ""
        text.color = ft.Colors.RED_700

    def _typed(self, e) -> None:
        line, field = e.control.data
        self.typed[(line.line_id, field)] = e.control.value or ""
        self._show_short(line)
        self._short[line.line_id].update()

    def _narrow(self, e) -> None:
        self.find = e.control.value or ""
        self._draw_lines()
        self._table.update()

    async def _jump(self, e) -> None:
        """Enter (a scanner's): the one line the SKU names, its received quantity focused."""
        self.find = e.control.value or ""
        self._draw_lines()
        self._table.update()
        shown = [line for line in self.shipment.lines if self._matches(line)]
        exact = [line for line in shown if line.sku.casefold() == self.find.strip().casefold()]
        target = exact[0] if len(exact) == 1 else shown[0] if len(shown) == 1 else None
        if target is not None:
            await self._boxes[(target.line_id, "received")].focus()

    # ---- confirming ----

    def _arrived(self) -> dict:
        return {line.line_id: Arrived(*(self._value(line, f) for f in FIELDS)) for line in self.shipment.lines}

    def _confirm(self, e) -> None:
        sh = self.shell
        arrived = self._arrived()
        lines = [DiscrepancyLine(x.part_id, x.sku, x.name, x.approved_qty, a.received, a.damaged, a.extra)
                 for x in self.shipment.lines for a in (arrived[x.line_id],)]
        differs = describe([x for x in lines if min(x.received, x.damaged, x.extra) >= 0], sh.lang)
        if not differs or any(min(a.received, a.damaged, a.extra) < 0 for a in arrived.values()):
            self._receive(arrived)  # nothing to confirm, or a refusal to show in words
            return

        def ok():
            self._receive(arrived)

        sh.show_form(w.form_dialog(sh.t("confirm_receipt"), [
            ft.Text(sh.t("discrepancy_to_hq")), ft.Text(differs, weight=ft.FontWeight.W_600)],
            sh.t("confirm_receipt"), sh.t("cancel"), ok, width=sh.dialog_width(480)))

    def _receive(self, arrived: dict) -> None:
        sh = self.shell
        ok, _ = sh.run(sh.services.receiving.receive, sh.session, self.request_id, arrived, done="received_done")
        if ok:
            self._back()

    def _back(self, e=None) -> None:
        self.shell.show(self.back)
