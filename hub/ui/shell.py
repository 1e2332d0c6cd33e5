"""One HQ browser session: the page's look (font, theme), who is logged in and in which
language, the navigation and the screen shown. Screens are objects with `build()` (and a
`screen` attribute naming their rail entry); the shell rebuilds the current one after an
action or a language switch. `run` calls a service and shows its refusal in words."""
import dataclasses
import logging

import flet as ft

from shared.errors import ServiceError
from hub.ui.text import t

log = logging.getLogger("fieldsync.hub.ui")

FONT = "NotoSansSC"


class HubShell:
    def __init__(self, page: ft.Page, services, lang: str = "zh"):
        self.page, self.services = page, services
        self.lang = lang
        self.session = None
        self.view = None
        self.body = ft.Container(expand=True, padding=ft.Padding.only(left=16, right=16, top=8, bottom=8))

    def start(self) -> None:
        page = self.page
        page.title = t("hq_title", self.lang)
        page.fonts = {FONT: "fonts/NotoSansSC-subset.otf"}  # relative: the UI lives under /hq
        page.theme = ft.Theme(font_family=FONT, color_scheme_seed=ft.Colors.INDIGO)
        page.theme_mode = ft.ThemeMode.LIGHT
        page.padding = 0
        self.show_login()

    def t(self, key: str, **params) -> str:
        return t(key, self.lang, **params)

    # ---- who and which language ----

    def show_login(self) -> None:
        from hub.ui.views.login import LoginView
        self.session, self.view = None, None
        self.page.appbar = None
        self.page.controls = [LoginView(self).build()]
        self.page.update()

    def logged_in(self, session) -> None:
        self.session = session
        from hub.ui.views.home import HomeView
        self.view = HomeView(self)
        self._chrome()
        self.render()

    def toggle_lang(self, e=None) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self.page.title = t("hq_title", self.lang)
        if self.session is None:
            self.show_login()
            return
        self.session = dataclasses.replace(self.session, lang=self.lang)
        self._chrome()
        self.render()

    def logout(self, e=None) -> None:
        self.show_login()

    # ---- screens ----

    def show(self, view) -> None:
        self.view = view
        self.render()

    def _chrome(self) -> None:
        """The app bar, the rail and the body's place: once per login and language. A rail
        rebuilt on every render loses a click the browser sent to the old one."""
        from hub.ui.nav import app_bar, rail
        self.page.appbar = app_bar(self)
        self.rail = rail(self)
        self._rail_index = self.rail.selected_index
        self.page.controls = [ft.Row([self.rail, ft.VerticalDivider(width=1), self.body], expand=True,
                                     vertical_alignment=ft.CrossAxisAlignment.START)]

    def render(self) -> None:
        if self.session is None or self.view is None:
            return
        from hub.ui.nav import selected_index
        try:
            self.body.content = self.view.build()
        except ServiceError as exc:
            self.error(exc)
            from hub.ui.views.home import HomeView
            self.view = HomeView(self)
            self.body.content = self.view.build()
        index = selected_index(self.session, self.view)
        if index != self._rail_index:  # only when the screen changed (see node/ui/shell.py)
            self.rail.selected_index = self._rail_index = index
        self.page.update()

    # ---- calling services ----

    def run(self, fn, *args, done: str | None = None, **kwargs) -> tuple[bool, object]:
        """(True, result), or (False, None) after showing the ServiceError in the
        session's words (nothing happened). `done`: a text key confirming success."""
        try:
            result = fn(*args, **kwargs)
        except ServiceError as exc:
            self.error(exc)
            return False, None
        if done:
            self.toast(self.t(done))
        return True, result

    def error(self, exc: ServiceError) -> None:
        self.page.show_dialog(ft.SnackBar(ft.Text(exc.message(self.lang), color=ft.Colors.WHITE),
                                          bgcolor=ft.Colors.RED_800, duration=6000, show_close_icon=True))

    def toast(self, text: str) -> None:
        self.page.show_dialog(ft.SnackBar(ft.Text(text), duration=2500))
