"""The outlet's screens and who sees them (some are for the office only); the app bar and
the rail are shared/ui/nav.py's. A role sees only the screens it works with (the services
refuse the rest anyway)."""
import flet as ft

from shared.roles import Role
from shared.ui.nav import Nav

from node.ui.views.devices import DevicesView
from node.ui.views.kb import KbView
from node.ui.views.orders import OrdersView
from node.ui.views.requests import RequestsView
from node.ui.views.settlement import SettlementView
from node.ui.views.stock import StockView
from node.ui.views.stocktake import StocktakeView
from node.ui.views.sync import SyncView

EVERYONE, OFFICE, MANAGER = "everyone", "office", "manager"

# (text key, icon, view class, who sees it)
SCREENS = [
    ("orders", ft.Icons.ASSIGNMENT, OrdersView, EVERYONE),
    ("stock", ft.Icons.INVENTORY_2, StockView, EVERYONE),
    ("requests", ft.Icons.SHOPPING_CART, RequestsView, OFFICE),
    ("stocktake", ft.Icons.FACT_CHECK, StocktakeView, OFFICE),
    ("settlement", ft.Icons.RECEIPT_LONG, SettlementView, OFFICE),
    ("kb", ft.Icons.MENU_BOOK, KbView, EVERYONE),
    ("devices", ft.Icons.TABLET_ANDROID, DevicesView, MANAGER),
    ("sync", ft.Icons.SYNC, SyncView, EVERYONE),
]


def _sees(session, who: str) -> bool:
    if who == MANAGER:
        return session.role == Role.OUTLET_MANAGER
    return who == EVERYONE or session.office


def screens_for(session) -> list[tuple]:
    return [s for s in SCREENS if _sees(session, s[3])]


NAV = Nav(screens_for, "app_title", ft.Colors.BLUE_50, default_screen="orders", rail_min_width=88,
          name_gap=12)
