"""The landing screen after login: a greeting and the rail to the day's work."""
import flet as ft

from shared.ui.widgets import title


class HomeView:
    screen = "home"

    def __init__(self, shell):
        self.shell = shell

    def build(self) -> ft.Control:
        sh = self.shell
        return ft.Column([title(sh.t("hq_title")), ft.Text(sh.t("home_welcome", name=sh.session.display_name))],
                         spacing=12)
