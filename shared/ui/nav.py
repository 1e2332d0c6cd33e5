"""The app bar (who is logged in, language, log out) and the navigation rail, built the
same way for both apps from an app's `Nav`: its screens (text key, icon, view class, who
sees it), its title and colours. A role sees only the screens
it works with (the services refuse the rest anyway)."""
import dataclasses
from collections.abc import Callable

import flet as ft

from shared.labels import label


@dataclasses.dataclass(frozen=True)
class Nav:
    screens_for: Callable[[object], list[tuple]]  # session -> its (key, icon, view class, who) entries
    title_key: str
    bar_color: str
    default_screen: str  # the rail entry of a view without a `screen` attribute
    rail_min_width: int
    name_gap: int = 0  # space between the user's name and the language button

    def view_of(self, session, screen: str) -> type:
        """The view class of a rail entry the session sees, by its text key."""
        return next(s[2] for s in self.screens_for(session) if s[0] == screen)

    def app_bar(self, shell) -> ft.AppBar:
        s = shell.session
        who = shell.t("role_user", name=s.display_name, role=label("role", s.role, shell.lang))
        if getattr(shell, "compact", False):  # a phone: the name as the title, no icons beside the words
            return ft.AppBar(
                title=ft.Text(s.display_name, size=16, no_wrap=True, overflow=ft.TextOverflow.ELLIPSIS),
                bgcolor=self.bar_color, title_spacing=12, actions=[
                    *shell.bar_extra(),
                    ft.TextButton(shell.t("language"), on_click=shell.toggle_lang),
                    ft.TextButton(shell.t("logout"), on_click=shell.logout)])
        gap = [ft.Container(width=self.name_gap)] if self.name_gap else []
        return ft.AppBar(
            title=ft.Text(shell.t(self.title_key)), bgcolor=self.bar_color,
            actions=[ft.Text(who), *gap, *shell.bar_extra(),
                     ft.TextButton(shell.t("language"), icon=ft.Icons.TRANSLATE, on_click=shell.toggle_lang),
                     ft.TextButton(shell.t("logout"), icon=ft.Icons.LOGOUT, on_click=shell.logout),
                     ft.Container(width=8)])

    def selected_index(self, session, view) -> int | None:
        current = getattr(view, "screen", self.default_screen)
        return next((i for i, s in enumerate(self.screens_for(session)) if s[0] == current), None)

    def rail(self, shell) -> ft.NavigationRail:
        """Made once per login and language (see shared/ui/shell.py); the shell moves its
        selection."""
        items = self.screens_for(shell.session)

        def change(e):
            index = int(e.data) if str(e.data).isdigit() else e.control.selected_index  # what was clicked
            shell.show(items[index][2](shell))

        return ft.NavigationRail(
            selected_index=self.selected_index(shell.session, shell.view),
            label_type=ft.NavigationRailLabelType.ALL, min_width=self.rail_min_width, on_change=change,
            scrollable=True,  # HQ's admin has more screens than a laptop's height shows
            destinations=[ft.NavigationRailDestination(icon=icon, label=shell.t(key)) for key, icon, _, _ in items])

    def bar(self, shell) -> ft.NavigationBar:
        """The rail's entries as a bottom navigation bar, for a phone (same once-made rule)."""
        items = self.screens_for(shell.session)

        def change(e):
            index = int(e.data) if str(e.data).isdigit() else e.control.selected_index
            shell.show(items[index][2](shell))

        return ft.NavigationBar(
            selected_index=self.selected_index(shell.session, shell.view) or 0, on_change=change,
            destinations=[ft.NavigationBarDestination(icon=icon, label=shell.t(key)) for key, icon, _, _ in items])
