"""The knowledge base: search (Chinese words, nameplate model codes, fault codes, HQ's
synonyms; offline) and one article; or, opened from an order, the articles for the order's
model and fault code (those for both first), one tap from the order's screen. Names only:
a category's name, model codes, fault codes with their names. On a phone the search box
takes the screen's width and the title its own line."""
import flet as ft

from shared.formatting import when

from shared.ui import widgets as w


class KbView:
    screen = "kb"
    live = False  # a sync round should not close the article being read

    def __init__(self, shell, order_id: str | None = None, back=None):
        self.shell = shell
        self.query = ""
        self.article_id: str | None = None
        self.order_id, self.back = order_id, back  # opened from this order's screen
        if order_id:
            self.screen = "orders"

    def build(self) -> ft.Control:
        sh = self.shell
        if self.article_id:
            return self._article()
        if self.order_id:
            return self._for_order()
        # a label, not a hint: it stays named once text is typed (screen readers, tests)
        box = ft.TextField(value=self.query, label=sh.t("kb_search"), prefix_icon=ft.Icons.SEARCH,
                           width=None if sh.compact else 420, expand=sh.compact,
                           autofocus=True, on_submit=lambda e: self._search(e.control.value))
        hits = sh.services.kb.search(sh.session, self.query)
        cards = [self._card(h) for h in hits]
        find = ft.FilledButton(sh.t("search"), icon=ft.Icons.SEARCH, on_click=lambda e: self._search(box.value))
        head = ([w.title(sh.t("kb")), ft.Row([box, find], spacing=8)] if sh.compact
                else [ft.Row([w.title(sh.t("kb")), box, find], spacing=24)])
        return ft.Column([
            *head,
            ft.ListView(cards or [w.muted(sh.t("no_hits"))], spacing=8, expand=True)], expand=True, spacing=12)

    def _card(self, h, both: bool = False) -> ft.Control:
        return ft.Card(ft.Container(ft.Column([
            ft.Row([ft.Text(h.title, size=16, weight=ft.FontWeight.W_600),
                    *([w.chip(h.category, ft.Colors.BLUE_GREY_400)] if h.category else []),
                    *([w.chip(self.shell.t("kb_for_both"), ft.Colors.GREEN_700)] if both else [])], wrap=True),
            ft.Text(h.snippet, color=ft.Colors.GREY_800),
            w.muted("  ".join(h.faults + h.models), size=13)], spacing=4), padding=14,
            on_click=lambda e, i=h.id: self._open(i)), margin=0)

    def _for_order(self) -> ft.Control:
        sh = self.shell
        got = sh.services.kb.for_order(sh.session, self.order_id)
        cards = [self._card(h, both=i < got.both) for i, h in enumerate(got.hits)]
        return ft.Column([
            ft.Row([self._back_button(self._leave),
                    ft.Text(sh.t("kb_order_title", number=got.number), size=20 if sh.compact else 22,
                            weight=ft.FontWeight.BOLD, expand=True)]),
            w.muted(sh.t("kb_order_keys", model=got.model or "—", fault=got.fault or "—")),
            ft.ListView(cards or [w.muted(sh.t("kb_none_for_order"))], spacing=8, expand=True)],
            expand=True, spacing=12)

    def _back_button(self, on_back) -> ft.Control:
        sh = self.shell
        return ft.IconButton(ft.Icon(ft.Icons.ARROW_BACK, semantics_label=sh.t("back")), tooltip=sh.t("back"),
                             on_click=lambda e: on_back())

    def _leave(self) -> None:
        """Back from an order's articles: to the order."""
        from node.ui.views.order import OrderView
        self.shell.show(self.back or OrderView(self.shell, self.order_id))

    def _search(self, text) -> None:
        self.query = (text or "").strip()
        self.shell.render()

    def _open(self, article_id: str) -> None:
        self.article_id = article_id
        self.shell.render()

    def _article(self) -> ft.Control:
        sh = self.shell
        ok, a = sh.run(sh.services.kb.article, sh.session, self.article_id)
        if not ok:
            self.article_id = None
            return self.build()
        tags = " · ".join(a.tags + a.faults + a.models)
        return ft.Column([
            ft.Row([self._back_button(lambda: self._open(None)),
                    ft.Text(a.title, size=20 if sh.compact else 22, weight=ft.FontWeight.BOLD, expand=True)]),
            w.muted(f"{a.category}  {tags}  {when(a.updated_at, sh.lang) if a.updated_at else ''}"),
            ft.Card(ft.Container(ft.Text(a.body, size=15), padding=14 if sh.compact else 20), margin=0),
        ], spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)
