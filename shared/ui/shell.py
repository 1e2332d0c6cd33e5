"""One browser session of either app: the page's look (font, theme), who is logged in and
in which language, the navigation, and the screen shown. Screens are objects with
`build()` (and a `screen` attribute naming their rail entry); the shell rebuilds the
current one after an action or a language switch. `run` calls a service and shows its
refusal in words. The node and the HQ shells are this with their texts, colours and
screens (class attributes) and a few hooks.

The app bar and the navigation rail are made once per login and language and only change
their selection afterwards: a control made anew gets a new id, and a click the browser
sent for the old one would be dropped — the rail click that was lost after a sync round.

Made for a hand as well as a desk: below `COMPACT_WIDTH` (a phone, or a small tablet's
portrait) the rail becomes a navigation bar at the bottom and the app bar's actions become
icons; the screens read `shell.compact` to stack their columns. Crossing the width (a
tablet turned) makes the chrome again.

A login lasts while the person is active (shared/session_life.py): the session's id is
rotated at login, and after the idle time the person is logged out, open dialogs closed,
and the login card says why."""
import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

import flet as ft

from shared import session_life
from shared.errors import ServiceError
from shared.session_life import IdleWatch, SessionLife
from shared.ui import session_guard
from shared.ui.login import LoginView
from shared.ui.nav import Nav

FONT = "NotoSansSC"
COMPACT_WIDTH = 600  # below it: a phone's layout (Material's compact window class)
TOUCH = 48  # Material's minimum touch target, px
TOAST_SECONDS = 3  # how long a "saved" confirmation stays in the app bar


class Who(Protocol):
    """What the shell reads of a logged-in session (the node's Session, the hub's
    HubSession): frozen dataclasses, so a language switch replaces the session."""
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def display_name(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def lang(self) -> str: ...


class Screen(Protocol):
    """A view the shell shows: it builds its controls anew on every render."""

    def build(self) -> ft.Control: ...


class BaseShell:
    # what an app sets
    texts: Callable[..., str]  # its text function, t(key, lang, **params)
    title_key = ""  # the page's and the login card's title
    font_url = ""  # where the page loads the font from (an asset of the app)
    seed_color = ft.Colors.BLUE  # the theme's
    nav: Nav  # app bar, rail, screens
    home: type  # the view class after login and after a refusal to build a screen
    login_icon = ft.Icons.LOGIN
    login_color = ft.Colors.BLUE_700
    login_pin = False  # the login card offers a PIN instead of the password

    def __init__(self, page: ft.Page, services, lang: str = "zh", life: SessionLife | None = None):
        self.page, self.services = page, services
        self.lang = lang
        self.life = life or SessionLife()
        self.idle = IdleWatch(page, self.life, self.idle_logout)
        self.login_notice = ""  # a text key the login card shows: why the person is there again
        self.session: Who | None = None
        self.view: Screen | None = None
        self.rail: ft.NavigationRail | ft.NavigationBar | None = None
        self._rail_index: int | None = None
        self.compact = False
        self.body = ft.Container(expand=True, padding=ft.Padding.only(left=16, right=16, top=8, bottom=8))
        # the app bar's title Text and its own value, colour and weight while a toast shows in it
        self._title: tuple[ft.Text, Any, Any, Any] | None = None
        self._toasts = 0

    # ---- the page ----

    def start(self) -> None:
        page = self.page
        page.title = self.t(self.title_key)
        page.fonts = {FONT: self.font_url}
        page.theme = self.theme()
        page.theme_mode = ft.ThemeMode.LIGHT
        page.padding = 0
        self.compact = self._is_compact(page.width)
        page.on_resize = self._resized
        session_guard.watch(page, self.unexpected_error)  # never a traceback to the browser
        self.on_start()
        self.show_login()

    def theme(self) -> ft.Theme:
        """Hook: the page's theme (the node's makes every button a touch target)."""
        return ft.Theme(font_family=FONT, color_scheme_seed=self.seed_color)

    @staticmethod
    def _is_compact(width) -> bool:
        return bool(width) and width < COMPACT_WIDTH

    def _resized(self, e) -> None:
        compact = self._is_compact(e.width)
        if compact == self.compact:
            return
        self.compact = compact
        if self.session is not None and self.view is not None:
            self._chrome()
            self.render()
        elif self.session is None:
            self.show_login()

    def on_start(self) -> None:
        """Hook: the page is set up, the login not shown yet."""

    def dialog_width(self, want: int) -> int:
        """A dialog's content width: `want`, or what the screen has room for (a phone)."""
        width = self.page.width
        return int(min(want, width - 88)) if width else want

    def t(self, key: str, **params) -> str:
        return self.texts(key, self.lang, **params)

    # ---- who and which language ----

    def show_login(self) -> None:
        self.session, self.view, self.rail = None, None, None
        self.page.appbar = None
        self.page.navigation_bar = None
        view = LoginView(self, title_key=self.title_key, icon=self.login_icon, color=self.login_color,
                         pin=self.login_pin)
        self.page.controls = [view.build()]
        self.page.update()

    def logged_in(self, session) -> None:
        session_life.rotate_id(self.page)  # the id from before the login reaches no logged-in session
        self.login_notice = ""
        self.session = session
        self.view = self.home_view()
        self._chrome()
        self.render()
        self.idle.start()

    def home_view(self):
        return self.home(self)

    def toggle_lang(self, e=None) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self.page.title = self.t(self.title_key)
        if self.session is None:
            self.show_login()
            return
        self.session = dataclasses.replace(self.session, lang=self.lang)
        self._chrome()
        self.render()

    def logout(self, e=None) -> None:
        self.login_notice = ""
        self._leave()

    def idle_logout(self) -> None:
        """Nothing came from the person for the idle time (shared/session_life.py)."""
        self.login_notice = "idle_logout"
        self._leave()

    def _leave(self) -> None:
        self.idle.stop()
        while self.page.pop_dialog() is not None:  # a form left open shows nothing after the logout
            pass
        self.show_login()

    # ---- screens ----

    def show(self, view) -> None:
        self.view = view
        self.render()

    def _chrome(self) -> None:
        """The app bar, the rail and the body's place: once per login and language. A rail
        rebuilt on every render loses a click the browser sent to the old one."""
        self.page.appbar = self.nav.app_bar(self)
        side = 8 if self.compact else 16
        self.body.padding = ft.Padding.only(left=side, right=side, top=8, bottom=8)
        if self.compact:  # a phone: the screens at the bottom, where a thumb reaches
            self.rail = self.nav.bar(self)
            self.page.navigation_bar = self.rail
            self.page.controls = [ft.SafeArea(self.body, expand=True)]
        else:
            self.rail = self.nav.rail(self)
            self.page.navigation_bar = None
            self.page.controls = [ft.SafeArea(ft.Row([self.rail, ft.VerticalDivider(width=1), self.body],
                                                     expand=True, vertical_alignment=ft.CrossAxisAlignment.START),
                                              expand=True)]
        self._rail_index = self.rail.selected_index
        self.chrome_extra()

    def chrome_extra(self) -> None:
        """Hook: whatever else is made once per login and language (the node's pickers)."""

    def bar_extra(self) -> list[ft.Control]:
        """Hook: controls of the app bar before the language button (the node's notices bell),
        made with the app bar, once per login and language."""
        return []

    def render(self) -> None:
        if self.session is None or self.view is None or self.rail is None:  # not logged in
            return
        try:
            self.body.content = self.view.build()
        except ServiceError as exc:  # e.g. the order was moved to another outlet meanwhile
            self.error(exc)
            self.view = self.home_view()
            self.body.content = self.view.build()
        index = self.nav.selected_index(self.session, self.view)
        if index is None and isinstance(self.rail, ft.NavigationBar):
            index = self._rail_index  # a bar always shows one entry selected: keep the last
        if index != self._rail_index:
            # Only when the screen changed: a re-render (a sync round landing) must not put
            # back the old selection between a rail click the browser already applied and
            # the click's handler, which reads it — the click would be undone.
            self.rail.selected_index = self._rail_index = index
        self.page.update()

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

    def error(self, exc: ServiceError) -> None:
        self.page.show_dialog(ft.SnackBar(ft.Text(exc.message(self.lang), color=ft.Colors.WHITE),
                                          bgcolor=ft.Colors.RED_800, duration=6000, show_close_icon=True))

    def unexpected_error(self) -> None:
        """What the person sees when a handler failed unexpectedly (the detail is in the
        log only, shared/ui/session_guard.py); the session goes on."""
        self.page.show_dialog(ft.SnackBar(ft.Text(self.t("unexpected_error"), color=ft.Colors.WHITE),
                                          bgcolor=ft.Colors.RED_800, duration=8000, show_close_icon=True))
        self.page.update()

    def toast(self, text: str) -> None:
        """Confirm a success ("已保存") in the app bar's title for a few seconds. A snack
        bar at the bottom covered the page's last line for as long — the pager, a form's
        last field, the button a clerk taps next; the app bar's title covers nothing. The
        title's own Text takes the words and gets its own back (no control is swapped, so
        nothing on the page is made anew). Before login (no app bar) it is a snack bar."""
        bar = self.page.appbar
        title = bar.title if isinstance(bar, ft.AppBar) else None
        if not isinstance(title, ft.Text):
            self.page.show_dialog(ft.SnackBar(ft.Text(text), duration=TOAST_SECONDS * 1000))
            return
        if self._title is None or self._title[0] is not title:
            self._title = (title, title.value, title.color, title.weight)
        self._toasts += 1
        mine = self._toasts
        title.value, title.color, title.weight = f"✓ {text}", ft.Colors.GREEN_800, ft.FontWeight.W_600
        self.page.update()

        async def put_back() -> None:
            await asyncio.sleep(TOAST_SECONDS)
            if self._toasts == mine and self._title and self._title[0] is title:
                _, title.value, title.color, title.weight = self._title
                self._title = None
                self.page.update()

        self.page.run_task(put_back)
