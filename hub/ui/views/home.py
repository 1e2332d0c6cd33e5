"""The landing screen after login: a tile per kind of work the person's role does, with
how much of it waits now (hub/services/overview.py); a tile opens that work's screen."""
import flet as ft

from shared.ui.widgets import muted, title


class HomeView:
    screen = "home"

    def __init__(self, shell):
        self.shell = shell

    def build(self) -> ft.Control:
        sh = self.shell
        tiles = sh.services.overview.today(sh.session)
        cards = [self._tile(t) for t in tiles]
        waiting = any(t.count for t in tiles)
        return ft.Column([
            title(sh.t("hq_title")),
            ft.Text(sh.t("home_welcome", name=sh.session.display_name)),
            ft.Row(cards, wrap=True, spacing=16, run_spacing=16),
            *([] if waiting else [muted(sh.t("home_nothing"))]),
        ], spacing=16, scroll=ft.ScrollMode.AUTO, expand=True)

    def _tile(self, t) -> ft.Control:
        sh = self.shell
        color = ft.Colors.RED_700 if t.urgent else ft.Colors.INDIGO_700 if t.count else ft.Colors.GREY_600
        lines = [ft.Text(sh.t(t.key), size=15, weight=ft.FontWeight.W_500),
                 ft.Text(f"{t.count}{'+' if t.capped else ''}", size=34, weight=ft.FontWeight.BOLD, color=color)]
        if t.urgent:
            lines.append(ft.Text(sh.t("home_late", n=t.urgent), color=ft.Colors.RED_700))
        lines.append(ft.TextButton(sh.t("home_go"), icon=ft.Icons.ARROW_FORWARD,
                                   on_click=lambda e, screen=t.screen: self._open(screen)))
        return ft.Card(ft.Container(ft.Column(lines, spacing=6), padding=18, width=230), margin=0)

    def _open(self, screen: str) -> None:
        self.shell.show(self.shell.nav.view_of(self.shell.session, screen)(self.shell))
