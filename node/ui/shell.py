"""One browser session: the page's look (font, theme), who is logged in and in which
language, the navigation, and the screen shown. Screens are objects with `build()`; the
shell rebuilds the current one after an action, a language switch or a sync round that
brought something.

Everything that touches the page runs on the session's event loop (Flet calls handlers
there; background rounds arrive through `page.run_task`). The app bar and the navigation
rail are made once per login and language and only change their selection afterwards:
a control made anew gets a new id, and a click the browser sent for the old one would be
dropped — the rail click that was lost after a sync round."""
import dataclasses
import logging

import flet as ft

from node.services import ServiceError
from node.ui.text import t

log = logging.getLogger("fieldsync.node.ui")

FONT = "NotoSansSC"


class Shell:
    def __init__(self, page: ft.Page, services, live, lang: str = "zh"):
        self.page, self.services, self.live = page, services, live
        self.lang = lang
        self.session = None
        self.view = None
        self.rail = None
        self._rail_index = None
        self._pickers: dict[str, ft.FilePicker] = {}
        self._on_files: dict[str, object] = {}
        self._form = None  # the form dialog open now
        self.body = ft.Container(expand=True, padding=ft.Padding.only(left=16, right=16, top=8, bottom=8))

    # ---- the page ----

    def start(self) -> None:
        page = self.page
        page.title = t("app_title", self.lang)
        page.fonts = {FONT: "/fonts/NotoSansSC-subset.otf"}
        page.theme = ft.Theme(font_family=FONT, color_scheme_seed=ft.Colors.BLUE)
        page.theme_mode = ft.ThemeMode.LIGHT
        page.padding = 0
        page.on_connect = lambda e: self.live.add(self)  # a tab that reconnected hears rounds again
        page.on_disconnect = lambda e: self.live.remove(self)
        page.on_close = lambda e: self.live.remove(self)
        self.live.add(self)
        self.show_login()

    def t(self, key: str, **params) -> str:
        return t(key, self.lang, **params)

    # ---- who and which language ----

    def show_login(self) -> None:
        from node.ui.views.login import LoginView
        self.session, self.view, self.rail = None, None, None
        self.page.appbar = None
        self.page.controls = [LoginView(self).build()]
        self.page.update()

    def logged_in(self, session) -> None:
        self.session = session
        from node.ui.views.orders import OrdersView
        self.view = OrdersView(self)
        self._chrome()
        self.render()

    def toggle_lang(self, e=None) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self.page.title = t("app_title", self.lang)
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
        """The app bar, the rail and the body's place: once per login and language."""
        from node.ui.nav import app_bar, rail
        self.page.appbar = app_bar(self)
        self.rail = rail(self)
        self._rail_index = self.rail.selected_index
        for name in ("attach", "complete"):  # on the client before any button names them
            self.picker(name, self._on_files.get(name))
        self.page.controls = [ft.Row([self.rail, ft.VerticalDivider(width=1), self.body], expand=True,
                                     vertical_alignment=ft.CrossAxisAlignment.START)]

    def render(self) -> None:
        if self.session is None or self.view is None:
            return
        from node.ui.nav import selected_index
        try:
            self.body.content = self.view.build()
        except ServiceError as exc:  # e.g. the order was moved to another outlet meanwhile
            self.error(exc)
            from node.ui.views.orders import OrdersView
            self.view = OrdersView(self)
            self.body.content = self.view.build()
        index = selected_index(self.session, self.view)
        if index != self._rail_index:
            # Only when the screen changed: a re-render (a sync round landing) must not put
            # back the old selection between a rail click the browser already applied and
            # the click's handler, which reads it — the click would be undone.
            self.rail.selected_index = self._rail_index = index
        self.page.update()

    async def on_sync_round(self, moved: bool = True) -> None:
        """A background sync round landed. Show the current screen again if the round
        brought or sent anything (a list rebuilt for nothing would jump back to its top);
        the sync panel always, it shows the round's time."""
        if self.session is None or self.view is None:
            return
        if getattr(self.view, "screen", "") == "sync" or (moved and getattr(self.view, "live", True)):
            self.render()

    # ---- photos ----

    def picker(self, name: str, on_files) -> ft.FilePicker:
        """This page's file picker for one use ("attach", "complete"), made once: a
        `PickFiles` action opens it inside the click, as browsers require, and
        `on_files([(file name, bytes)])` hears what the person chose."""
        self._on_files[name] = on_files
        picker = self._pickers.get(name)
        if picker is None:
            picker = ft.FilePicker(on_result=lambda e, n=name: self._picked(n, e))
            self._pickers[name] = picker
            self.page.services.append(picker)  # mounted by the next page update
        return picker

    def _picked(self, name: str, e) -> None:
        files = [(f.name, bytes(f.bytes)) for f in (e.files or []) if f.bytes]
        target = self._on_files.get(name)
        if files and target is not None:
            target(files)

    # ---- calling services ----

    def run(self, fn, *args, done: str | None = None, **kwargs) -> tuple[bool, object]:
        """Call a service: (True, its result), or (False, None) after showing the
        ServiceError in the session's words (nothing happened). `done`: a text key that
        confirms success."""
        try:
            result = fn(*args, **kwargs)
        except ServiceError as exc:
            self.error(exc)
            return False, None
        if done:
            self.toast(self.t(done))
        return True, result

    def show_form(self, dialog) -> None:
        """One form at a time. Flutter's web client may deliver one tap twice when the
        device is slow (its click and its pointer events); a second "新建工单" must
        not open a second form."""
        if self._form is not None and self._form.open:
            return
        self._form = dialog
        self.page.show_dialog(dialog)

    def error(self, exc: ServiceError) -> None:
        self.page.show_dialog(ft.SnackBar(ft.Text(exc.message(self.lang), color=ft.Colors.WHITE),
                                          bgcolor=ft.Colors.RED_800, duration=6000, show_close_icon=True))

    def toast(self, text: str) -> None:
        self.page.show_dialog(ft.SnackBar(ft.Text(text), duration=2500))
