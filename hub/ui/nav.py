"""The HQ screens and who sees them; the app bar and the rail are shared/ui/nav.py's.
Screens register here: (text key, icon, "module.ViewClass" under hub/ui/views, roles that
see it). A role sees only the screens it works with (the services refuse the rest anyway)."""
import flet as ft

from shared.roles import HQ_WORK, HUB_ROLES, HqWork
from shared.ui.nav import Nav

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


NAV = Nav(screens_for, "hub.ui.views", "hq_title", ft.Colors.INDIGO_50, default_screen="home", rail_min_width=96)
view_class, app_bar, selected_index, rail = NAV.view_class, NAV.app_bar, NAV.selected_index, NAV.rail
