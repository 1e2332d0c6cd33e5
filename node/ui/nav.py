"""The outlet's screens and who sees them (some are for the office only); the app bar and
the rail are shared/ui/nav.py's. A role sees only the screens it works with (the services
refuse the rest anyway)."""
import flet as ft

from shared.roles import OFFICE, OUTLET_ROLES, Role
from shared.ui.nav import Nav

from node.ui.views.devices import DevicesView
from node.ui.views.kb import KbView
from node.ui.views.orders import OrdersView
from node.ui.views.requests import RequestsView
from node.ui.views.settlement import SettlementView
from node.ui.views.stock import StockView
from node.ui.views.stocktake import StocktakeView
from node.ui.views.sync import SyncView
from node.ui.views.van import MyPartsView, VanView

# (text key, icon, view class, the roles that see it)
SCREENS = [
    ("orders", ft.Icons.ASSIGNMENT, OrdersView, OUTLET_ROLES),
    ("my_parts", ft.Icons.HOME_REPAIR_SERVICE, MyPartsView, frozenset({Role.TECHNICIAN})),
    ("stock", ft.Icons.INVENTORY_2, StockView, OUTLET_ROLES),
    ("van", ft.Icons.HOME_REPAIR_SERVICE, VanView, OFFICE),
    ("requests", ft.Icons.SHOPPING_CART, RequestsView, OFFICE),
    ("stocktake", ft.Icons.FACT_CHECK, StocktakeView, OFFICE),
    ("settlement", ft.Icons.RECEIPT_LONG, SettlementView, OFFICE),
    ("kb", ft.Icons.MENU_BOOK, KbView, OUTLET_ROLES),
    ("devices", ft.Icons.TABLET_ANDROID, DevicesView, frozenset({Role.OUTLET_MANAGER})),
    ("sync", ft.Icons.SYNC, SyncView, OUTLET_ROLES),
]


def screens_for(session) -> list[tuple]:
    return [s for s in SCREENS if session.role in s[3]]


NAV = Nav(screens_for, "app_title", ft.Colors.BLUE_50, default_screen="orders", rail_min_width=88,
          name_gap=12)
