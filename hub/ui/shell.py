"""One HQ browser session: shared/ui/shell.py's shell with the HQ texts, title, colour and
screens. The font is fetched relative to the page because the HQ UI is mounted under /hq."""
import flet as ft

from hub.ui import nav
from hub.ui.text import t
from hub.ui.views.home import HomeView
from shared.ui.shell import BaseShell


class HubShell(BaseShell):
    texts = staticmethod(t)
    title_key = "hq_title"
    font_url = "fonts/NotoSansSC-subset.otf"  # relative: the UI lives under /hq
    seed_color = ft.Colors.INDIGO
    nav = nav.NAV
    home = HomeView
    login_icon = ft.Icons.SUPPORT_AGENT
    login_color = ft.Colors.INDIGO_700
