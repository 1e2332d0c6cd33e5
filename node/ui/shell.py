"""One outlet browser session: shared/ui/shell.py's shell with the node's texts, title,
colour and screens, plus what only the outlet has: background sync rounds that show the
current screen again, file pickers for photos, and one form dialog at a time.

Everything that touches the page runs on the session's event loop (Flet calls handlers
there; background rounds arrive through `page.run_task`). The rail is made once per login
and language (see shared/ui/shell.py); a sync round re-renders only the body. The app bar's
bell (the manager's and the clerk's) shows how many of HQ's notices they have not read and
opens them (node/ui/views/notices.py); every render and every sync round counts again."""
import flet as ft

from node.ui import nav
from node.ui.views.notices import NoticesView
from node.ui.views.orders import OrdersView
from shared.labels import ui_text
from shared.roles import OFFICE
from shared.session_life import SessionLife
from shared.ui.shell import FONT, BaseShell


class Shell(BaseShell):
    texts = staticmethod(ui_text)
    title_key = "app_title"
    font_url = "/fonts/NotoSansSC-subset.otf"
    seed_color = ft.Colors.BLUE
    nav = nav.NAV
    home = OrdersView
    login_icon = ft.Icons.HOME_REPAIR_SERVICE
    login_color = ft.Colors.BLUE_700
    login_pin = True

    def __init__(self, page: ft.Page, services, live, lang: str = "zh", life: SessionLife | None = None):
        super().__init__(page, services, lang=lang, life=life)
        self.live = live
        self._pickers: dict[str, ft.FilePicker] = {}
        self._on_files: dict[str, object] = {}
        self._form = None  # the form dialog open now
        self._bell: ft.IconButton | None = None  # made with the app bar

    def theme(self) -> ft.Theme:
        """Every button is a touch target (48 px high, Material's minimum), on a phone and at
        the desk alike: Flutter's web client lays buttons out at a desktop's compact
        density, which would make them 32 px."""
        tall = ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=18, vertical=14),
                              visual_density=ft.VisualDensity.STANDARD)
        return ft.Theme(font_family=FONT, color_scheme_seed=self.seed_color,
                        visual_density=ft.VisualDensity.STANDARD,
                        filled_button_theme=ft.FilledButtonTheme(style=tall),
                        outlined_button_theme=ft.OutlinedButtonTheme(style=tall),
                        text_button_theme=ft.TextButtonTheme(style=tall),
                        button_theme=ft.ButtonTheme(style=tall),
                        icon_button_theme=ft.IconButtonTheme(style=ft.ButtonStyle(
                            padding=ft.Padding.all(12), visual_density=ft.VisualDensity.STANDARD)))

    def on_start(self) -> None:
        page = self.page
        page.on_connect = lambda e: self.live.add(self)  # a tab that reconnected hears rounds again
        page.on_disconnect = lambda e: self.live.remove(self)
        page.on_close = lambda e: self.live.remove(self)
        self.live.add(self)

    def chrome_extra(self) -> None:
        for name in ("attach", "complete"):  # on the client before any button names them
            self.picker(name, self._on_files.get(name))

    async def on_sync_round(self, moved: bool = True) -> None:
        """A background sync round landed. Show the current screen again if the round
        brought or sent anything (a list rebuilt for nothing would jump back to its top);
        the sync panel always, it shows the round's time. The bell counts again after
        any round that moved something, whatever the screen."""
        if self.session is None or self.view is None:
            return
        if getattr(self.view, "screen", "") == "sync" or (moved and getattr(self.view, "live", True)):
            self.render()
        elif moved and self._bell is not None:
            self._count_notices()
            self.page.update()

    # ---- HQ's notices ----

    def bar_extra(self) -> list[ft.Control]:
        self._bell = None
        if self.session is None or self.session.role not in OFFICE:
            return []
        self._bell = ft.IconButton(ft.Icon(ft.Icons.NOTIFICATIONS, semantics_label=self.t("notices")),
                                   tooltip=self.t("notices"), on_click=lambda e: self.show(NoticesView(self)))
        self._count_notices()
        return [self._bell]

    def render(self) -> None:
        if self._bell is not None and self.session is not None:
            self._count_notices()
        super().render()

    def _count_notices(self) -> None:
        """The bell's badge: the unread count, in its name too (what a screen reader says)."""
        bell = self._bell
        if bell is None or self.session is None:
            return
        n = self.services.notices.unread(self.session)
        name = self.t("notices_unread", n=n) if n else self.t("notices")
        bell.badge = ft.Badge(label=str(n), bgcolor=ft.Colors.RED_700) if n else None
        bell.tooltip = name
        if isinstance(bell.icon, ft.Icon):
            bell.icon.semantics_label = name

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

    # ---- forms ----

    def show_form(self, dialog) -> None:
        """One form at a time. Flutter's web client may deliver one tap twice when the
        device is slow (its click and its pointer events); a second "新建工单" must
        not open a second form."""
        if self._form is not None and self._form.open:
            return
        self._form = dialog
        self.page.show_dialog(dialog)
