"""HQ's notices for the manager and the clerk (node/services/notices.py), newest first: the
kind, the order's number, the message in words and when HQ sent it. Tapping a notice opens
its order (and reads it); a notice with no order here (a device that stopped syncing, an
order HQ took away) is read with its own button. The app bar's bell (node/ui/shell.py)
opens this screen and shows how many are unread."""
import flet as ft

from shared.formatting import when

from shared.ui import widgets as w
from node.ui.views.order import OrderView


class NoticesView:
    screen = "notices"  # no rail entry: the app bar's bell opens it

    def __init__(self, shell):
        self.shell = shell

    def build(self) -> ft.Control:
        sh = self.shell
        items = sh.services.notices.list(sh.session)
        read_all = ft.TextButton(sh.t("mark_all_read"), icon=ft.Icons.DONE_ALL, on_click=self._read_all,
                                 visible=any(not n.read for n in items))
        head = ([w.title(sh.t("notices_title")), read_all] if sh.compact
                else [ft.Row([w.title(sh.t("notices_title")), read_all], spacing=24)])
        cards = [self._card(n) for n in items]
        return ft.Column([*head, ft.ListView(cards or [w.muted(sh.t("no_notices"))], spacing=8, expand=True)],
                         expand=True, spacing=12)

    def _card(self, n) -> ft.Control:
        sh = self.shell
        kind_color = ft.Colors.AMBER_900 if n.kind == "sla_warning" else ft.Colors.BLUE_GREY_600
        line = ft.Row([*([w.chip(sh.t("unread"), ft.Colors.RED_700)] if not n.read else []),
                       w.chip(n.kind_label, kind_color),
                       *([ft.Text(n.row_label, size=16, weight=ft.FontWeight.W_600)] if n.row_label else []),
                       w.muted(when(n.at, sh.lang), size=13)], wrap=True, spacing=8)
        body: list[ft.Control] = [line, ft.Text(n.message, color=None if n.read else ft.Colors.BLACK,
                                                weight=None if n.read else ft.FontWeight.W_500)]
        if n.order_id is None and n.row_label:
            body.append(w.muted(sh.t("order_gone"), size=13))
        if n.order_id is None and not n.read:
            body.append(ft.Row([ft.TextButton(sh.t("mark_read"), icon=ft.Icons.DONE,
                                              on_click=lambda e, i=n.id: self._read(i))]))
        opens = (lambda e, i=n.id, o=n.order_id: self._open(i, o)) if n.order_id else None
        return ft.Card(ft.Container(ft.Column(body, spacing=6), padding=14, on_click=opens), margin=0,
                       bgcolor=None if n.read else ft.Colors.AMBER_50)

    def _open(self, notice_id: str, order_id: str) -> None:
        sh = self.shell
        sh.run(sh.services.notices.mark_read, sh.session, notice_id)
        sh.show(OrderView(sh, order_id, back=self))

    def _read(self, notice_id: str) -> None:
        sh = self.shell
        sh.run(sh.services.notices.mark_read, sh.session, notice_id)
        sh.render()

    def _read_all(self, e=None) -> None:
        sh = self.shell
        sh.run(sh.services.notices.mark_all_read, sh.session)
        sh.render()
