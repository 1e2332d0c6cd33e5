"""The knowledge base: search (Chinese words, models, fault codes; offline) and one
article. On a phone the search box takes the screen's width and the title its own line."""
import flet as ft

from shared.formatting import when

from shared.ui import widgets as w


class KbView:
    screen = "kb"
    live = False  # a sync round should not close the article being read

    def __init__(self, shell):
        self.shell = shell
        self.query = ""
        self.article_id: str | None = None

    def build(self) -> ft.Control:
        sh = self.shell
        if self.article_id:
            return self._article()
        # a label, not a hint: it stays named once text is typed (screen readers, tests)
        box = ft.TextField(value=self.query, label=sh.t("kb_search"), prefix_icon=ft.Icons.SEARCH,
                           width=None if sh.compact else 420, expand=sh.compact,
                           autofocus=True, on_submit=lambda e: self._search(e.control.value))
        hits = sh.services.kb.search(sh.session, self.query)
        cards = [ft.Card(ft.Container(ft.Column([
            ft.Row([ft.Text(h.title, size=16, weight=ft.FontWeight.W_600),
                    *([w.chip(h.category, ft.Colors.BLUE_GREY_400)] if h.category else [])], wrap=True),
            ft.Text(h.snippet, color=ft.Colors.GREY_800),
            w.muted(" ".join(h.fault_codes + h.models), size=13)], spacing=4), padding=14,
            on_click=lambda e, i=h.id: self._open(i)), margin=0) for h in hits]
        find = ft.FilledButton(sh.t("search"), icon=ft.Icons.SEARCH, on_click=lambda e: self._search(box.value))
        head = ([w.title(sh.t("kb")), ft.Row([box, find], spacing=8)] if sh.compact
                else [ft.Row([w.title(sh.t("kb")), box, find], spacing=24)])
        return ft.Column([
            *head,
            ft.ListView(cards or [w.muted(sh.t("no_hits"))], spacing=8, expand=True)], expand=True, spacing=12)

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
        tags = " · ".join(a.tags + a.fault_codes + a.models)
        return ft.Column([
            ft.Row([ft.IconButton(ft.Icon(ft.Icons.ARROW_BACK, semantics_label=sh.t("back")), tooltip=sh.t("back"),
                                  on_click=lambda e: self._open(None)),
                    ft.Text(a.title, size=20 if sh.compact else 22, weight=ft.FontWeight.BOLD, expand=True)]),
            w.muted(f"{a.category}  {tags}  {when(a.updated_at, sh.lang) if a.updated_at else ''}"),
            ft.Card(ft.Container(ft.Text(a.body, size=15), padding=14 if sh.compact else 20), margin=0),
        ], spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)
