"""The app bar (who is logged in, language, log out) and the navigation rail. A role sees
only the screens it works with (the services refuse the rest anyway). Screens register
here: (text key, icon, "module.ViewClass" under hub/ui/views, roles that see it)."""
import importlib

import flet as ft

from shared.labels import label
from shared.roles import HUB_ROLES

ALL = frozenset(HUB_ROLES)

SCREENS: list[tuple[str, str, str, frozenset]] = [
    ("home", ft.Icons.DASHBOARD, "home.HomeView", ALL),
    ("reports", ft.Icons.BAR_CHART, "reports.ReportsView", ALL),
]


def screens_for(session) -> list[tuple]:
    return [s for s in SCREENS if session.role in s[3]]


def view_class(path: str):
    module, name = path.split(".")
    return getattr(importlib.import_module(f"hub.ui.views.{module}"), name)


def app_bar(shell) -> ft.AppBar:
    s = shell.session
    who = shell.t("role_user", name=s.display_name, role=label("role", s.role, shell.lang))
    return ft.AppBar(
        title=ft.Text(shell.t("hq_title")), bgcolor=ft.Colors.INDIGO_50,
        actions=[ft.Text(who), ft.TextButton(shell.t("language"), icon=ft.Icons.TRANSLATE, on_click=shell.toggle_lang),
                 ft.TextButton(shell.t("logout"), icon=ft.Icons.LOGOUT, on_click=shell.logout),
                 ft.Container(width=8)])


def rail(shell) -> ft.NavigationRail:
    items = screens_for(shell.session)
    current = getattr(shell.view, "screen", "home")
    index = next((i for i, s in enumerate(items) if s[0] == current), None)

    def change(e):
        shell.show(view_class(items[e.control.selected_index][2])(shell))

    return ft.NavigationRail(
        selected_index=index, label_type=ft.NavigationRailLabelType.ALL, min_width=96, on_change=change,
        destinations=[ft.NavigationRailDestination(icon=icon, label=shell.t(key)) for key, icon, _, _ in items])
