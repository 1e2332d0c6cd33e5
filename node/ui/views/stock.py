"""Stock: the store's on hand per part with low-stock markers (and how many the technicians
carry beside it) and its shelf (the office sets it: a stocktake can count one shelf),
shipments from HQ to receive (line by line, node/ui/views/receiving.py),
the differences reported to HQ with HQ's word on each, and the store's movement ledger."""
import flet as ft

from shared.formatting import when

from node.ui.views.receiving import ReceivingView
from shared.ui import widgets as w


class StockView:
    screen = "stock"

    def __init__(self, shell):
        self.shell = shell

    def build(self) -> ft.Control:
        sh = self.shell
        levels = sh.services.stock.levels(sh.session)
        rows = [[part.sku, part.name, part.shelf, part.category,
                 ft.Text(str(part.on_hand), weight=ft.FontWeight.W_600, color=ft.Colors.RED_700 if part.low else None),
                 part.safety_stock, part.in_transit or "", part.in_bags or "",
                 w.chip(sh.t("low"), ft.Colors.RED_600) if part.low else ""]
                for part in levels]
        parts = [w.title(sh.t("stock")), *([self._shelf_form()] if sh.session.office else []),
                 w.section(sh.t("stock"), w.table(
                     [sh.t("part"), "", sh.t("shelf"), sh.t("type_filter"), sh.t("on_hand"), sh.t("safety"),
                      sh.t("in_transit"), sh.t("in_bags"), ""], rows, numeric={4, 5, 6, 7}))]
        if sh.session.office:
            parts.append(self._shipments())
            reported = sh.services.receiving.discrepancies(sh.session)
            if reported:
                parts.append(w.section(sh.t("discrepancies"), w.table(
                    [sh.t("record"), sh.t("at"), sh.t("variance"), sh.t("status_filter"), sh.t("comment")],
                    [[d.number, when(d.reported_at, sh.lang), d.summary, w.status_chip(d.status, d.status_label),
                      d.comment] for d in reported])))
        moves = sh.services.stock.ledger(sh.session, limit=50)
        parts.append(w.section(sh.t("ledger"), w.table(
            [sh.t("at"), sh.t("part"), sh.t("qty"), sh.t("kind_col"), sh.t("record")],
            [[when(m.at, sh.lang), f"{m.name}（{m.sku}）", f"{m.qty:+d}", m.kind_label, m.ref_label] for m in moves],
            numeric={2}) if moves else w.muted(sh.t("none"))))
        return ft.Column(parts, spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _shelf_form(self) -> ft.Control:
        """Labelling the shelves: scan (or type) a part's SKU, type its shelf, Enter. Above
        the table, not in a card (a text field inside a Card hides the card's texts from
        the browser's accessibility tree)."""
        sh = self.shell
        sku = ft.TextField(label=sh.t("shelf_sku"), dense=True, width=260, prefix_icon=ft.Icons.QR_CODE_SCANNER)
        shelf = ft.TextField(label=sh.t("shelf"), dense=True, width=160)

        def save(e) -> None:
            ok, _ = sh.run(sh.services.shelves.set_by_sku, sh.session, sku.value or "", shelf.value or "",
                           done="saved")
            if ok:
                sh.render()

        shelf.on_submit = save
        return ft.Row([sku, shelf, ft.FilledTonalButton(sh.t("set_shelf"), icon=ft.Icons.EDIT_LOCATION_ALT,
                                                        on_click=save), w.muted(sh.t("shelf_hint"))],
                      wrap=True, spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER)

    def _shipments(self) -> ft.Control:
        sh = self.shell
        items = []
        for s in sh.services.stock.shipments(sh.session):
            items.append(ft.Row([ft.Text(s.number, weight=ft.FontWeight.W_600), ft.Text(s.summary, expand=True),
                                 w.muted(s.comment),
                                 ft.FilledButton(sh.t("receive_lines"), icon=ft.Icons.MOVE_TO_INBOX,
                                                 on_click=lambda e, rid=s.request_id: self._receive(rid))],
                                wrap=True))
        return w.section(sh.t("shipments"), *(items or [w.muted(sh.t("no_shipments"))]))

    def _receive(self, request_id: str) -> None:
        self.shell.show(ReceivingView(self.shell, request_id, back=self))
