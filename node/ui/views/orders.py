"""The order lists: today / mine / all, filters (status, type, technician, overdue, a date
range), a search box (number, phone tail, name) and one card per order with its SLA
countdown. The filters sit in a ResponsiveRow (a column each on a phone, a line on a
tablet) and a card's lines wrap rather than run off a phone's edge. The date range opens
under its button ("按日期筛选"), so a phone keeps its cards in sight; a date typed wrong is
refused in words and the list stays as it was."""
import flet as ft

from shared.formatting import span, when

from shared.ui import widgets as w

ANY = "*"
TABS = ("today", "mine", "all")
PAGE = 50  # cards per page


def sla_text(card, lang: str, t) -> tuple[str, str]:
    """(text, colour) of a card's running SLA clock."""
    if card.sla_paused:
        return t("sla_paused"), ft.Colors.AMBER_900
    if card.sla_remaining_ms is None:
        return "", ft.Colors.GREY_700
    if card.sla_remaining_ms < 0:
        return t("overdue_by", what=card.sla_label, t=span(card.sla_remaining_ms, lang)), ft.Colors.RED_700
    color = ft.Colors.ORANGE_800 if card.sla_remaining_ms < 2 * 3600 * 1000 else ft.Colors.GREEN_800
    return t("due_in", what=card.sla_label, t=span(card.sla_remaining_ms, lang)), color


class OrdersView:
    screen = "orders"

    def __init__(self, shell):
        self.shell = shell
        self.tab = "mine" if shell.session.technician else "all"
        self.status, self.type, self.technician = "open", ANY, ANY
        self.overdue = False
        self.search = ""
        self.offset = 0
        # the date range: what is typed, and what the list is narrowed by (the last good one)
        self.date_field, self.date_from, self.date_to = "created", "", ""
        self.dates = None
        self.dates_open = False

    def build(self) -> ft.Control:
        sh = self.shell
        s = sh.session
        choices = sh.services.orders.choices(s)
        page = sh.services.orders.page(
            s, self.tab, status=None if self.status == ANY else self.status,
            type=None if self.type == ANY else self.type,
            technician_id=None if self.technician == ANY else self.technician,
            overdue=self.overdue, search=self.search or None, dates=self.dates, limit=PAGE, offset=self.offset)
        tabs = ft.Row([(ft.FilledButton if key == self.tab else ft.OutlinedButton)(
            sh.t(key), on_click=lambda e, k=key: self._set(tab=k)) for key in TABS], spacing=8, tight=True)
        statuses = [ft.DropdownOption(key=ANY, text=sh.t("any_status")),
                    ft.DropdownOption(key="open", text=sh.t("open_orders"))]
        statuses += [ft.DropdownOption(key=o.key, text=o.text) for o in choices.statuses]
        types = [ft.DropdownOption(key=ANY, text=sh.t("any_type"))]
        types += [ft.DropdownOption(key=o.key, text=o.text) for o in choices.types]
        techs = [ft.DropdownOption(key=ANY, text=sh.t("any_technician"))]
        techs += [ft.DropdownOption(key=o.key, text=o.text) for o in choices.technicians]
        search = ft.TextField(value=self.search, label=sh.t("search_orders"), prefix_icon=ft.Icons.SEARCH,
                              col={"xs": 12, "md": 12, "lg": 3},
                              on_submit=lambda e: self._set(search=e.control.value.strip()))
        half = {"xs": 6, "md": 4, "lg": 2}
        filters = ft.ResponsiveRow([
            search,
            ft.Dropdown(label=sh.t("status_filter"), value=self.status, options=statuses, col=half, expand=True,
                        on_select=lambda e: self._set(status=e.control.value)),
            ft.Dropdown(label=sh.t("type_filter"), value=self.type, options=types, col=half, expand=True,
                        on_select=lambda e: self._set(type=e.control.value)),
            ft.Dropdown(label=sh.t("technician"), value=self.technician, options=techs, col=half, expand=True,
                        on_select=lambda e: self._set(technician=e.control.value)),
            ft.Checkbox(label=sh.t("overdue_only"), value=self.overdue, col={"xs": 4, "md": 4, "lg": 2},
                        on_change=lambda e: self._set(overdue=bool(e.control.value))),
            ft.Container(self._dates_button(), col={"xs": 2, "md": 2, "lg": 1}),
        ], spacing=12, run_spacing=10, vertical_alignment=ft.CrossAxisAlignment.CENTER)
        cards = [self._card(c) for c in page.cards] or [w.muted(sh.t("no_orders"))]
        create = [ft.FilledButton(sh.t("new_order"), icon=ft.Icons.ADD_CALL, on_click=lambda e: self._new())
                  ] if s.office else []
        return ft.Column([
            ft.Row([w.title(sh.t("orders")), tabs, w.muted(sh.t("total", n=page.total)), *create,
                    *self._dates_shown(choices)],
                   spacing=16 if sh.compact else 24, run_spacing=8, wrap=True),
            filters,
            *([self._date_row(choices)] if self.dates_open else []),
            ft.ListView(cards, spacing=8, expand=True),
            w.pager(sh.t, page.offset, PAGE, page.total, lambda offset: self._set(offset=offset)),
        ], expand=True, spacing=12)

    def _set(self, **changes) -> None:
        """A new tab, filter or search starts again from the first page."""
        changes.setdefault("offset", 0)
        for k, v in changes.items():
            setattr(self, k, v)
        self.shell.render()

    def _dates_button(self) -> ft.Control:
        """The date range's button: an icon (filled while a range narrows the list), so the
        filters keep their lines on a phone; it opens the range's fields."""
        sh = self.shell
        icon = ft.Icon(ft.Icons.DATE_RANGE, semantics_label=sh.t("date_range"))
        style = ft.ButtonStyle(bgcolor=ft.Colors.BLUE_100) if self.dates is not None else None
        return ft.IconButton(icon, tooltip=sh.t("date_range"), style=style, on_click=lambda e: self._toggle_dates())

    def _dates_shown(self, choices) -> list[ft.Control]:
        """The range the list is narrowed by, beside the count ("创建日期：… 至 …")."""
        d = self.dates
        if d is None:
            return []
        sh = self.shell
        what = next((c.text for c in choices.date_fields if c.key == d.field), d.field)
        return [w.chip(sh.t("dates_shown", what=what, start=d.start.isoformat() if d.start else "…",
                             end=d.end.isoformat() if d.end else "…"), ft.Colors.BLUE_700)]

    def _date_row(self, choices) -> ft.Control:
        sh = self.shell
        kind = ft.Dropdown(label=sh.t("date_of"), value=self.date_field, expand=True,
                           col={"xs": 12, "md": 4, "lg": 2},
                           options=[ft.DropdownOption(key=c.key, text=c.text) for c in choices.date_fields],
                           on_select=lambda e: setattr(self, "date_field", e.control.value))
        start = ft.TextField(label=sh.t("date_from"), value=self.date_from,
                             col={"xs": 6, "md": 4, "lg": 2}, on_submit=lambda e: self._apply_dates(),
                             on_change=lambda e: setattr(self, "date_from", e.control.value))
        end = ft.TextField(label=sh.t("date_to"), value=self.date_to,
                           col={"xs": 6, "md": 4, "lg": 2}, on_submit=lambda e: self._apply_dates(),
                           on_change=lambda e: setattr(self, "date_to", e.control.value))
        buttons = ft.Row([ft.FilledButton(sh.t("apply"), icon=ft.Icons.FILTER_ALT,
                                          on_click=lambda e: self._apply_dates()),
                          ft.TextButton(sh.t("clear_dates"), on_click=lambda e: self._clear_dates())],
                         spacing=8, wrap=True, col={"xs": 12, "md": 12, "lg": 6})
        return ft.ResponsiveRow([kind, start, end, buttons], spacing=12, run_spacing=10,
                                vertical_alignment=ft.CrossAxisAlignment.CENTER)

    def _toggle_dates(self) -> None:
        self.dates_open = not self.dates_open
        self.shell.render()

    def _apply_dates(self) -> None:
        """The typed range narrows the list; a bad one is refused in words and the list
        keeps the range it had."""
        sh = self.shell
        ok, dates = sh.run(sh.services.orders.date_range, self.date_field, self.date_from, self.date_to)
        if ok:
            self._set(dates=dates)

    def _clear_dates(self) -> None:
        self.date_from = self.date_to = ""
        self._set(dates=None, dates_open=False)

    def _card(self, c) -> ft.Control:
        sh, lang = self.shell, self.shell.lang
        sla, color = sla_text(c, lang, sh.t)
        top = ft.Row([ft.Text(c.number, size=17, weight=ft.FontWeight.BOLD),
                      w.status_chip(c.status, c.status_label), w.chip(c.type_label, ft.Colors.BLUE_GREY_400),
                      *([w.chip(c.priority_label, ft.Colors.RED_600)] if c.urgent else []),
                      *([ft.Text(sla, color=color, weight=ft.FontWeight.W_600)] if sla else [])],
                     wrap=True, spacing=8, run_spacing=4)
        who = ft.Row([ft.Icon(ft.Icons.PERSON, size=16), ft.Text(f"{c.customer_name}  {c.phone_masked}")],
                     spacing=4, tight=True)
        where = ft.Row([ft.Icon(ft.Icons.PLACE, size=16),
                        ft.Text(c.address, expand=True, no_wrap=True, overflow=ft.TextOverflow.ELLIPSIS)],
                       spacing=4, expand=not sh.compact)
        lines = [ft.Column([who, where], spacing=2) if sh.compact else ft.Row([who, where], spacing=12),
                 ft.Text(f"{c.model_name}  ·  {c.fault_description}", color=ft.Colors.GREY_800)]
        meta = [sh.t("labelled", k=sh.t("technician"), v=c.technician_name or sh.t("unassigned"))]
        if c.appointment_at:
            meta.append(sh.t("labelled", k=sh.t("appointment"), v=when(c.appointment_at, lang)))
        lines.append(w.muted("   ".join(meta), size=13))
        return ft.Card(ft.Container(ft.Column([top, *lines], spacing=4), padding=12 if sh.compact else 14,
                                    on_click=lambda e, oid=c.id: self._open(oid)), margin=0)

    def _new(self) -> None:
        from node.ui.views.order_forms import new_order
        new_order(self)

    def _open(self, order_id: str) -> None:
        from node.ui.views.order import OrderView
        self.shell.show(OrderView(self.shell, order_id, back=self))
