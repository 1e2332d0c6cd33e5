"""What the administration screens share: a form dialog whose OK calls a service and
shows its refusal inside the dialog, a yes/no confirmation, dropdown options, a row of
sub-screen switches. No rules here: the services decide and refuse."""
import flet as ft

from shared.errors import ServiceError
from shared.ui import widgets as w


def attempt(shell, fn, *args, done: str = "saved", **kwargs):
    """Call a service from a dialog: (None, result) when it worked (the screen is rebuilt
    and `done` confirmed), else (the refusal in the session's words, None)."""
    try:
        result = fn(*args, **kwargs)
    except ServiceError as exc:
        return exc.message(shell.lang), None
    shell.toast(shell.t(done))
    shell.render()
    return None, result


def form(shell, title: str, fields: list[ft.Control], on_ok, ok_text: str | None = None, width: int = 520) -> None:
    """A modal form; `on_ok()` returns None (done, it closes) or a message to show."""
    dlg = w.form_dialog(title, fields, ok_text or shell.t("confirm"), shell.t("cancel"), on_ok)
    dlg.content.width = width
    dlg.scrollable = True  # long forms (an outlet, a survey) scroll inside the dialog
    shell.page.show_dialog(dlg)


def confirm(shell, title: str, message: str, on_yes, yes_text: str | None = None) -> None:
    form(shell, title, [ft.Text(message)], on_yes, yes_text)


def options(pairs) -> list[ft.DropdownOption]:
    return [ft.DropdownOption(key=str(k), text=str(t)) for k, t in pairs]


def switcher(shell, current: str, keys: list[str], on_pick) -> ft.Control:
    """Sub-screen buttons (fee / SLA / survey): the current one filled."""
    return ft.Row([ft.FilledButton(shell.t(k), on_click=lambda e, k=k: on_pick(k)) if k == current
                   else ft.OutlinedButton(shell.t(k), on_click=lambda e, k=k: on_pick(k)) for k in keys], spacing=8)


def active_chip(shell, active) -> ft.Control:
    return w.chip(shell.t("adm_active"), ft.Colors.GREEN_700) if active is not False \
        else w.chip(shell.t("adm_inactive"), ft.Colors.GREY_600)


def pair_row(*controls: ft.Control) -> ft.Control:
    for c in controls:
        c.expand = True
    return ft.Row(list(controls), spacing=12)
