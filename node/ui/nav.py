"""The outlet's screens and who sees them (some are for the office only); the app bar and
the rail are shared/ui/nav.py's. A role sees only the screens it works with (the services
refuse the rest anyway)."""
import flet as ft

from shared.ui.nav import Nav

# (text key, icon, view class path, office only)
SCREENS = [
    ("orders", ft.Icons.ASSIGNMENT, "orders.OrdersView", False),
    ("stock", ft.Icons.INVENTORY_2, "stock.StockView", False),
    ("requests", ft.Icons.SHOPPING_CART, "requests.RequestsView", True),
    ("stocktake", ft.Icons.FACT_CHECK, "stocktake.StocktakeView", True),
    ("settlement", ft.Icons.RECEIPT_LONG, "settlement.SettlementView", True),
    ("kb", ft.Icons.MENU_BOOK, "kb.KbView", False),
    ("sync", ft.Icons.SYNC, "sync.SyncView", False),
]


def screens_for(session) -> list[tuple]:
    return [s for s in SCREENS if session.office or not s[3]]


NAV = Nav(screens_for, "node.ui.views", "app_title", ft.Colors.BLUE_50, default_screen="orders", rail_min_width=88,
          name_gap=12)
view_class, app_bar, selected_index, rail = NAV.view_class, NAV.app_bar, NAV.selected_index, NAV.rail
