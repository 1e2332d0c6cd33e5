"""The app bar (who is logged in, language, log out) and the navigation rail. A role sees
only the screens it works with (the services refuse the rest anyway). Screens register
here: (text key, icon, "module.ViewClass" under hub/ui/views, roles that see it)."""
import importlib

import flet as ft

from shared.labels import label
from shared.roles import HQ_WORK, HUB_ROLES, HqWork

ALL = frozenset(HUB_ROLES)

SCREENS: list[tuple[str, str, str, frozenset]] = [
    ("home", ft.Icons.DASHBOARD, "home.HomeView", ALL),
    ("in_nav_intake", ft.Icons.PHONE_IN_TALK, "intake.IntakeView", HQ_WORK[HqWork.INTAKE]),
    ("in_nav_dispatch", ft.Icons.ALT_ROUTE, "dispatch.DispatchView", HQ_WORK[HqWork.DISPATCH]),
    ("monitor", ft.Icons.MONITOR_HEART, "monitor.MonitorView", HQ_WORK[HqWork.MONITOR]),
    ("callbacks", ft.Icons.PHONE_CALLBACK, "callbacks.CallbacksView", HQ_WORK[HqWork.CALLBACK]),
    ("complaints", ft.Icons.REPORT_PROBLEM, "complaints.ComplaintsView", HQ_WORK[HqWork.COMPLAINTS]),
    ("ap_approvals", ft.Icons.FACT_CHECK, "approvals.ApprovalsView", HQ_WORK[HqWork.APPROVE]),
    ("reports", ft.Icons.BAR_CHART, "reports.ReportsView", HQ_WORK[HqWork.REPORTS]),
    # administration and the knowledge base (hub-admin): the roles shared/roles.py HQ_WORK names
    ("adm_outlets", ft.Icons.STORE, "admin_outlets.OutletsView", HQ_WORK[HqWork.ADMIN]),
    ("adm_users", ft.Icons.PEOPLE, "admin_users.UsersView", HQ_WORK[HqWork.ADMIN]),
    ("adm_rules", ft.Icons.RULE, "admin_rules.RulesView", HQ_WORK[HqWork.ADMIN]),
    ("adm_nodes", ft.Icons.DEVICES, "admin_nodes.NodesView", HQ_WORK[HqWork.ADMIN]),
    ("kba_title", ft.Icons.MENU_BOOK, "kb_admin.KbAdminView", HQ_WORK[HqWork.KB_MANAGE]),
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


def selected_index(session, view) -> int | None:
    current = getattr(view, "screen", "home")
    return next((i for i, s in enumerate(screens_for(session)) if s[0] == current), None)


def rail(shell) -> ft.NavigationRail:
    """Made once per login and language (see shell.py); the shell moves its selection."""
    items = screens_for(shell.session)

    def change(e):
        index = int(e.data) if str(e.data).isdigit() else e.control.selected_index  # what was clicked
        shell.show(view_class(items[index][2])(shell))

    return ft.NavigationRail(
        selected_index=selected_index(shell.session, shell.view), label_type=ft.NavigationRailLabelType.ALL,
        min_width=96, on_change=change,
        destinations=[ft.NavigationRailDestination(icon=icon, label=shell.t(key)) for key, icon, _, _ in items])
