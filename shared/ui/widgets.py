"""Small building blocks the screens of both apps share: status chips, titled sections,
label/value rows, tables, a pager, a form dialog. Here rather than under node/ because the
HQ screens use them too. No service calls here."""
import inspect
from collections.abc import Collection

import flet as ft

STATUS_COLORS = {
    "new": ft.Colors.BLUE_700, "accepted": ft.Colors.INDIGO_600, "scheduled": ft.Colors.TEAL_700,
    "en_route": ft.Colors.CYAN_800, "on_site": ft.Colors.DEEP_PURPLE_600, "waiting_parts": ft.Colors.AMBER_900,
    "completed": ft.Colors.GREEN_700, "closed": ft.Colors.GREY_700, "declined": ft.Colors.RED_700,
    "cancelled": ft.Colors.GREY_600, "draft": ft.Colors.BLUE_GREY_600, "submitted": ft.Colors.BLUE_700,
    "approved": ft.Colors.GREEN_700, "rejected": ft.Colors.RED_700,
}


def chip(text: str, color=ft.Colors.BLUE_GREY_600) -> ft.Control:
    return ft.Container(ft.Text(text, color=ft.Colors.WHITE, size=13, weight=ft.FontWeight.W_500),
                        bgcolor=color, border_radius=12, padding=ft.Padding.symmetric(horizontal=10, vertical=3))


def status_chip(status: str | None, text: str) -> ft.Control:
    return chip(text, STATUS_COLORS.get(status or "", ft.Colors.BLUE_GREY_600))


def title(text: str) -> ft.Control:
    return ft.Text(text, size=22, weight=ft.FontWeight.BOLD)


def section(heading: str, *controls: ft.Control, actions: list[ft.Control] | None = None) -> ft.Control:
    head = ft.Row([ft.Text(heading, size=17, weight=ft.FontWeight.W_600), *(actions or [])],
                  alignment=ft.MainAxisAlignment.SPACE_BETWEEN, wrap=True)
    return ft.Card(ft.Container(ft.Column([head, *controls], spacing=8), padding=16), margin=0)


def kv(key: str, value, *extra: ft.Control) -> ft.Control:
    return ft.Row([ft.Text(key, color=ft.Colors.GREY_700, width=110),
                   ft.Text(str(value) if value not in (None, "") else "—", expand=True), *extra],
                  vertical_alignment=ft.CrossAxisAlignment.START)


def muted(text: str, **kw) -> ft.Text:
    return ft.Text(text, color=ft.Colors.GREY_700, **kw)


def table(columns: list[str], rows: list[list], numeric: Collection[int] = frozenset()) -> ft.Control:
    """A data table; cells may be strings or controls."""
    def cell(v):
        return ft.DataCell(v if isinstance(v, ft.Control) else ft.Text("" if v is None else str(v)))
    return ft.Row([ft.DataTable(
        columns=[ft.DataColumn(label=ft.Text(c, weight=ft.FontWeight.W_600), numeric=i in numeric)
                 for i, c in enumerate(columns)],
        rows=[ft.DataRow([cell(v) for v in r]) for r in rows],
        heading_row_height=40, data_row_min_height=40, column_spacing=24)], scroll=ft.ScrollMode.AUTO)


def pager(t, offset: int, limit: int, total: int, on_offset) -> ft.Control:
    """"第 101–200 条，共 1,795 条" with previous / next buttons; `t` is the shell's text
    lookup, `on_offset(new_offset)` shows that page. Nothing when everything fits."""
    if total <= limit and offset == 0:
        return ft.Container()
    last = min(offset + limit, total)
    return ft.Row([
        ft.TextButton(t("prev_page"), icon=ft.Icons.CHEVRON_LEFT, disabled=offset <= 0,
                      on_click=lambda e: on_offset(max(0, offset - limit))),
        muted(t("page_range", a=f"{offset + 1:,}" if total else "0", b=f"{last:,}", n=f"{total:,}")),
        ft.TextButton(t("next_page"), icon=ft.Icons.CHEVRON_RIGHT, disabled=last >= total,
                      on_click=lambda e: on_offset(offset + limit)),
    ], spacing=4)


def form_dialog(title_text: str, fields: list[ft.Control], ok_text: str, cancel_text: str, on_ok,
                width: int = 440, scroll: bool = False) -> ft.AlertDialog:
    """A modal form (`scroll`: a long one scrolls on a small screen). `on_ok()` returns None when
    done (the dialog closes) or a message in words, shown in the dialog so the person can
    correct the form; it may be a coroutine function."""
    error = ft.Text("", color=ft.Colors.RED_800)
    dlg = ft.AlertDialog(modal=True, title=ft.Text(title_text),
                         content=ft.Column([*fields, error], tight=True, spacing=12, width=width,
                                           scroll=ft.ScrollMode.AUTO if scroll else None))

    def close(e=None):  # this dialog, not whatever is on top (a SnackBar may be)
        dlg.open = False
        dlg.update()

    busy: list[bool] = []

    async def ok(e):
        if not dlg.open or busy:  # a tap delivered twice: the form was already sent
            return
        busy.append(True)
        try:
            message = on_ok()
            if inspect.isawaitable(message):
                message = await message
        finally:
            busy.clear()
        if message:
            error.value = message
            dlg.update()
        else:
            close()

    dlg.actions = [ft.TextButton(cancel_text, on_click=close),
                   ft.FilledButton(ok_text, on_click=ok)]
    return dlg
