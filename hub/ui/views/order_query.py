"""The ticket query screen (工单查询): free text (number, phone, name), dates and the
dropdown filters above, the matching orders below, a page at a time; a number opens the
order's full record (hub/ui/views/order_file.py); the result exports to Excel.

Pages go forward by the service's cursor and back by the cursors already seen (a stack),
so the screen never asks for an offset; the total reads "共 1,234 条" or, for a very large
result, "超过 10,000 条" (hub/services/order_query.py says why). A dropdown applies at
once; the text and the dates on Enter or 查询. Laid out for 1366×768: two rows of filters
that wrap, a table that scrolls sideways when it must."""
import dataclasses

import flet as ft

from hub.services.order_query import OrderRow, Page, QueryChoices, QueryFilter, Total
from hub.ui.views.order_file import open_record
from shared.errors import ServiceError
from shared.formatting import when
from shared.order_query import Sort
from shared.ui import widgets as w
from shared.ui.download import Download

TYPED = ("text", "date_from", "date_to")  # applied on Enter or the search button


class OrderQueryView:
    screen = "oq_title"

    def __init__(self, shell, filters: QueryFilter | None = None, sort: str = Sort.NEWEST):
        self.shell = shell
        self.filters = filters or QueryFilter()
        self.typed = {k: getattr(self.filters, k) or "" for k in TYPED}
        self.sort = str(sort)
        self.cursors: list[str | None] = [None]  # the cursor of each page shown so far
        self.result: Page | None = None
        self.lang = ""  # the language of the result's words
        self.total: Total | None = None
        self.download = Download()

    # ---- actions ----

    def search(self, e=None) -> None:
        """Apply what is typed and show the first page."""
        self.filters = dataclasses.replace(self.filters, **{k: (v or "").strip() or None
                                                            for k, v in self.typed.items()})
        self._load([None])

    def set_filter(self, name: str, value: str | None) -> None:
        self.filters = dataclasses.replace(self.filters, **{name: value or None})
        if name == "outlet_id":
            self.filters = dataclasses.replace(self.filters, technician_id=None)
        self._load([None])

    def set_sort(self, value: str | None) -> None:
        self.sort = value or str(Sort.NEWEST)
        self._load([None])

    def reset(self, e=None) -> None:
        self.filters, self.typed = QueryFilter(), {k: "" for k in TYPED}
        self._load([None])

    def next_page(self, e=None) -> None:
        if self.result and self.result.next_cursor:
            self._load([*self.cursors, self.result.next_cursor])

    def prev_page(self, e=None) -> None:
        if len(self.cursors) > 1:
            self._load(self.cursors[:-1])

    def first_page(self, e=None) -> None:
        self._load([None])

    def _load(self, cursors: list) -> None:
        """Ask for the page after cursors[-1] (and the total, on a first page); a refusal
        (an inverted date range …) is said in words and the last result stays."""
        sh = self.shell
        q = sh.services.order_query
        try:
            page = q.search(sh.session, self.filters, sort=self.sort, cursor=cursors[-1])
            total = q.count(sh.session, self.filters) if cursors == [None] or self.total is None else self.total
        except ServiceError as exc:
            sh.error(exc)
            sh.page.update()
            return
        self.result, self.total, self.cursors, self.lang = page, total, cursors, sh.lang
        sh.render()

    async def export(self, e=None) -> None:
        sh = self.shell
        ok, made = sh.run(sh.services.order_query.export, sh.session, self.filters, sort=self.sort)
        if not ok:
            sh.page.update()
            return
        name, data = made
        await self.download.save(name, data, "xlsx")
        sh.toast(sh.t("oq_exported", name=name))

    def open(self, order_id: str) -> None:
        open_record(self.shell, order_id)

    # ---- the screen ----

    def build(self) -> ft.Control:
        sh = self.shell
        choices = sh.services.order_query.choices(sh.session)
        if self.result is None or self.lang != sh.lang:  # first shown, or its words in the other language
            self.result = sh.services.order_query.search(sh.session, self.filters, sort=self.sort,
                                                         cursor=self.cursors[-1])
            self.total = self.total or sh.services.order_query.count(sh.session, self.filters)
            self.lang = sh.lang
        body = [w.title(sh.t("oq_title")), self._filters(choices), self._pager()]
        if self.result.rows:
            body.append(self._table(self.result.rows))
        else:
            body.append(w.muted(sh.t("oq_none")))
        return ft.Column(body, spacing=10, scroll=ft.ScrollMode.AUTO, expand=True)

    def _filters(self, choices: QueryChoices) -> ft.Control:
        sh, f = self.shell, self.filters
        every = ft.DropdownOption(key="", text=sh.t("oq_all"))

        def dropdown(key: str, name: str, options, width: int = 150, value=None, on_select=None):
            return ft.Dropdown(label=sh.t(key), value=(value if value is not None else getattr(f, name)) or "",
                               width=width, dense=True, options=[every, *(ft.DropdownOption(key=k, text=v)
                                                                          for k, v in options)],
                               on_select=on_select or (lambda e: self.set_filter(name, e.control.value)))

        def typed(key: str, name: str, width: int, hint: str):
            # the hint as a tooltip: a hint text would join the field's label (its accessible name)
            return ft.TextField(label=sh.t(key), value=self.typed[name], width=width, dense=True,
                                tooltip=sh.t(hint), on_change=lambda e: self.typed.__setitem__(name, e.control.value),
                                on_submit=self.search)

        outlets = [o for o in choices.outlets if not f.region or o.region == f.region]
        technicians = sh.services.order_query.technicians(sh.session, f.outlet_id) if f.outlet_id else ()
        sort = ft.Dropdown(label=sh.t("oq_sort"), value=self.sort, width=170, dense=True,
                           options=[ft.DropdownOption(key=c.key, text=c.text) for c in choices.sorts],
                           on_select=lambda e: self.set_sort(e.control.value))
        first = ft.Row([
            typed("oq_text", "text", 260, "oq_text_hint"),
            typed("oq_from", "date_from", 140, "oq_date_hint"),
            typed("oq_to", "date_to", 140, "oq_date_hint"),
            ft.FilledButton(sh.t("oq_search"), icon=ft.Icons.SEARCH, on_click=self.search),
            ft.TextButton(sh.t("oq_reset"), icon=ft.Icons.CLEAR_ALL, on_click=self.reset),
            ft.OutlinedButton(sh.t("oq_export"), icon=ft.Icons.DOWNLOAD, on_click=self.export),
        ], wrap=True, spacing=10, run_spacing=8)
        second = ft.Row([
            dropdown("oq_region", "region", [(r, r) for r in choices.regions], 130),
            dropdown("oq_outlet", "outlet_id", [(o.id, f"{o.code} {o.name}") for o in outlets], 210),
            dropdown("oq_technician", "technician_id", [(c.key, c.text) for c in technicians], 130),
            dropdown("oq_agent", "agent_id", [(c.key, c.text) for c in choices.agents], 130),
            dropdown("oq_type", "type", [(c.key, c.text) for c in choices.types], 120),
            dropdown("oq_status", "status", [(c.key, c.text) for c in choices.statuses], 130),
            dropdown("oq_model", "product_model_id", [(c.key, c.text) for c in choices.models], 200),
            dropdown("oq_sla", "sla", [(c.key, c.text) for c in choices.sla_states], 110),
            sort,
        ], wrap=True, spacing=10, run_spacing=8)
        return ft.Column([first, second], spacing=8)

    def _pager(self) -> ft.Control:
        sh = self.shell
        n = len(self.cursors)
        total = self.total.text(sh.lang) if self.total else ""
        return ft.Row([
            ft.Text(total, weight=ft.FontWeight.W_600),
            ft.TextButton(sh.t("oq_first"), icon=ft.Icons.FIRST_PAGE, disabled=n <= 1, on_click=self.first_page),
            ft.TextButton(sh.t("oq_prev"), icon=ft.Icons.CHEVRON_LEFT, disabled=n <= 1, on_click=self.prev_page),
            w.muted(sh.t("oq_page", n=n)),
            ft.TextButton(sh.t("oq_next"), icon=ft.Icons.CHEVRON_RIGHT,
                          disabled=not (self.result and self.result.next_cursor), on_click=self.next_page),
        ], spacing=6, wrap=True)

    def _table(self, rows: list[OrderRow]) -> ft.Control:
        sh = self.shell
        sla_colors = {"overdue": ft.Colors.RED_700, "warning": ft.Colors.AMBER_900}
        return w.table(
            [sh.t(k) for k in ("oq_col_number", "oq_col_created", "oq_col_type", "oq_col_status", "oq_col_customer",
                               "oq_col_phone", "oq_col_model", "oq_col_outlet", "oq_col_technician", "oq_col_agent",
                               "oq_col_sla")],
            [[ft.TextButton(r.number, tooltip=sh.t("oq_open"),
                            on_click=lambda e, i=r.id: self.open(i)),
              when(r.created_at, sh.lang), r.type_label, w.status_chip(r.status, r.status_label), r.customer_name,
              r.phone, r.model_code, r.outlet_code or "—", r.technician_name or "—", r.agent_name or "—",
              w.chip(r.sla_label, sla_colors[r.sla]) if r.sla in sla_colors else r.sla_label]
             for r in rows])
