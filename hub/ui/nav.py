"""The HQ screens and who sees them; the app bar and the rail are shared/ui/nav.py's.
Screens register here: (text key, icon, view class, roles that see it). A role sees only
the screens it works with (the services refuse the rest anyway)."""
import flet as ft

from shared.roles import HQ_WORK, HUB_ROLES, HqWork
from shared.ui.nav import Nav

from hub.ui.views.admin_nodes import NodesView
from hub.ui.views.admin_outlets import OutletsView
from hub.ui.views.admin_rules import RulesView
from hub.ui.views.admin_users import UsersView
from hub.ui.views.approvals import ApprovalsView
from hub.ui.views.callbacks import CallbacksView
from hub.ui.views.complaints import ComplaintsView
from hub.ui.views.customers import CustomersView
from hub.ui.views.data_io import DataIoView
from hub.ui.views.dispatch import DispatchView
from hub.ui.views.home import HomeView
from hub.ui.views.intake import IntakeView
from hub.ui.views.kb_admin import KbAdminView
from hub.ui.views.master_data import MasterDataView
from hub.ui.views.monitor import MonitorView
from hub.ui.views.order_query import OrderQueryView
from hub.ui.views.reports import ReportsView
from hub.ui.views.sync_health import SyncHealthView

ALL = frozenset(HUB_ROLES)

SCREENS: list[tuple[str, str, type, frozenset]] = [
    ("home", ft.Icons.DASHBOARD, HomeView, ALL),
    ("in_nav_intake", ft.Icons.PHONE_IN_TALK, IntakeView, HQ_WORK[HqWork.INTAKE]),
    ("in_nav_dispatch", ft.Icons.ALT_ROUTE, DispatchView, HQ_WORK[HqWork.DISPATCH]),
    ("oq_title", ft.Icons.MANAGE_SEARCH, OrderQueryView, HQ_WORK[HqWork.QUERY]),
    ("monitor", ft.Icons.MONITOR_HEART, MonitorView, HQ_WORK[HqWork.MONITOR]),
    ("callbacks", ft.Icons.PHONE_CALLBACK, CallbacksView, HQ_WORK[HqWork.CALLBACK]),
    ("complaints", ft.Icons.REPORT_PROBLEM, ComplaintsView, HQ_WORK[HqWork.COMPLAINTS]),
    ("ap_approvals", ft.Icons.FACT_CHECK, ApprovalsView, HQ_WORK[HqWork.APPROVE]),
    ("reports", ft.Icons.BAR_CHART, ReportsView, HQ_WORK[HqWork.REPORTS]),
    # administration and the knowledge base (hub-admin): the roles shared/roles.py HQ_WORK names
    ("adm_outlets", ft.Icons.STORE, OutletsView, HQ_WORK[HqWork.ADMIN]),
    ("adm_users", ft.Icons.PEOPLE, UsersView, HQ_WORK[HqWork.ADMIN]),
    ("adm_rules", ft.Icons.RULE, RulesView, HQ_WORK[HqWork.ADMIN]),
    ("mds_customers", ft.Icons.CONTACTS, CustomersView, HQ_WORK[HqWork.CUSTOMERS]),
    ("mds_title", ft.Icons.INVENTORY_2, MasterDataView, HQ_WORK[HqWork.MASTER_DATA]),
    ("adm_nodes", ft.Icons.DEVICES, NodesView, HQ_WORK[HqWork.ADMIN]),
    ("io_title", ft.Icons.IMPORT_EXPORT, DataIoView, HQ_WORK[HqWork.ADMIN] | HQ_WORK[HqWork.MASTER_DATA]),
    ("sh_title", ft.Icons.SYNC_PROBLEM, SyncHealthView, HQ_WORK[HqWork.ADMIN]),
    ("kba_title", ft.Icons.MENU_BOOK, KbAdminView, HQ_WORK[HqWork.KB_MANAGE]),
]


def screens_for(session) -> list[tuple]:
    return [s for s in SCREENS if session.role in s[3]]


NAV = Nav(screens_for, "hq_title", ft.Colors.INDIGO_50, default_screen="home", rail_min_width=96)
