"""The app bar (who is logged in, language, log out) and the navigation rail; a role sees
only the screens it works with (the services refuse the rest anyway)."""
import flet as ft

from shared.labels import label

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


def view_class(path: str):
    import importlib
    module, name = path.split(".")
    return getattr(importlib.import_module(f"node.ui.views.{module}"), name)


def app_bar(shell) -> ft.AppBar:
    s = shell.session
    who = shell.t("role_user", name=s.display_name, role=label("role", s.role, shell.lang))
    return ft.AppBar(
        title=ft.Text(shell.t("app_title")), bgcolor=ft.Colors.BLUE_50,
        actions=[ft.Text(who), ft.Container(width=12), ft.TextButton(shell.t("language"), icon=ft.Icons.TRANSLATE, on_click=shell.toggle_lang),
                 ft.TextButton(shell.t("logout"), icon=ft.Icons.LOGOUT, on_click=shell.logout),
                 ft.Container(width=8)])


def selected_index(session, view) -> int | None:
    current = getattr(view, "screen", "orders")
    return next((i for i, s in enumerate(screens_for(session)) if s[0] == current), None)


def rail(shell) -> ft.NavigationRail:
    """Made once per login and language (see shell.py); the shell moves its selection."""
    items = screens_for(shell.session)
    index = selected_index(shell.session, shell.view)

    def change(e):
        index = int(e.data) if str(e.data).isdigit() else e.control.selected_index  # what was clicked
        key, _, path, _ = items[index]
        shell.show(view_class(path)(shell))

    return ft.NavigationRail(
        selected_index=index, label_type=ft.NavigationRailLabelType.ALL, min_width=88, on_change=change,
        destinations=[ft.NavigationRailDestination(icon=icon, label=shell.t(key)) for key, icon, _, _ in items])
