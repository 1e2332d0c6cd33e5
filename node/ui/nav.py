"""The outlet's screens and who sees them (some are for the office only); the app bar and
the rail are shared/ui/nav.py's. A role sees only the screens it works with (the services
refuse the rest anyway)."""
import flet as ft

from shared.ui.nav import Nav

from node.ui.views.kb import KbView
from node.ui.views.orders import OrdersView
from node.ui.views.requests import RequestsView
from node.ui.views.settlement import SettlementView
from node.ui.views.stock import StockView
from node.ui.views.stocktake import StocktakeView
from node.ui.views.sync import SyncView

# (text key, icon, view class, office only)
SCREENS = [
    ("orders", ft.Icons.ASSIGNMENT, OrdersView, False),
    ("stock", ft.Icons.INVENTORY_2, StockView, False),
    ("requests", ft.Icons.SHOPPING_CART, RequestsView, True),
    ("stocktake", ft.Icons.FACT_CHECK, StocktakeView, True),
    ("settlement", ft.Icons.RECEIPT_LONG, SettlementView, True),
    ("kb", ft.Icons.MENU_BOOK, KbView, False),
    ("sync", ft.Icons.SYNC, SyncView, False),
]


def screens_for(session) -> list[tuple]:
    return [s for s in SCREENS if session.office or not s[3]]


NAV = Nav(screens_for, "app_title", ft.Colors.BLUE_50, default_screen="orders", rail_min_width=88,
          name_gap=12)
