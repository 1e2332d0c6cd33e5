"""The device app's session: the outlet app's shell (node/ui/shell.py) that, while the
device holds no enrolled node, first shows the enrollment screen — the device code, pasted
(a QR is read by the phone's own camera or scanner app, which copies its text: Flet 1.0
has no QR scanner of its own) and a name for the device — and after enrolling shows the
login, where only the device's technician gets in (node/services/auth.py)."""
import asyncio
import socket

import flet as ft

from shared.errors import ServiceError
from shared.session_life import SessionLife

from node.ui.shell import Shell


class DeviceShell(Shell):
    def __init__(self, page: ft.Page, app, lang: str = "zh", life: SessionLife | None = None):
        super().__init__(page, app.services, app.live, lang=lang, life=life)
        self.app = app

    def show_login(self) -> None:
        if not self.app.enrolled:
            self.session, self.view, self.rail = None, None, None
            self.page.appbar = None
            self.page.controls = [EnrollView(self).build()]
            self.page.update()
            return
        self.services = self.app.services
        super().show_login()

    def enrolled(self, enrollment: dict) -> None:
        self.show_login()
        who = self.services.auth.bound_technician()
        if who:
            self.toast(self.t("enrolled_as", technician=who))


class EnrollView:
    """The device code and the device's name; "enroll" asks HQ (on a worker thread) and
    shows a refusal in words under the form, nothing written."""

    def __init__(self, shell: DeviceShell):
        self.shell = shell
        self.busy = False

    def build(self) -> ft.Control:
        sh = self.shell
        code = ft.TextField(label=sh.t("device_code"), multiline=True, min_lines=2, max_lines=4, width=420,
                            autofocus=True)
        name = ft.TextField(label=sh.t("device_name"), value=_default_name(), width=420)
        error = ft.Text("", color=ft.Colors.RED_800, width=420)
        button = ft.FilledButton(sh.t("enroll"), icon=ft.Icons.APP_REGISTRATION, width=150)

        async def enroll(e):
            if self.busy:
                return
            self.busy, button.disabled, error.value = True, True, sh.t("enrolling")
            sh.page.update()
            try:
                enrollment = await asyncio.to_thread(sh.app.enroll, code.value or "", name.value or "")
            except ServiceError as exc:
                error.value = exc.message(sh.lang)
                return
            finally:
                self.busy, button.disabled = False, False
                sh.page.update()
            sh.enrolled(enrollment)

        button.on_click = enroll
        card = ft.Card(ft.Container(ft.Column([
            ft.Row([ft.Icon(ft.Icons.TABLET_ANDROID, size=36, color=ft.Colors.BLUE_700),
                    ft.Text(sh.t("enroll_title"), size=26, weight=ft.FontWeight.BOLD)]),
            ft.Text(sh.t("enroll_hint"), color=ft.Colors.GREY_700, width=420),
            code, name, error,
            ft.Row([button, ft.TextButton(sh.t("language"), icon=ft.Icons.TRANSLATE, on_click=sh.toggle_lang)],
                   alignment=ft.MainAxisAlignment.SPACE_BETWEEN, width=420),
        ], tight=True, spacing=14), padding=32), width=500)
        return ft.SafeArea(ft.Container(card, alignment=ft.Alignment.CENTER, expand=True), expand=True)


def _default_name() -> str:
    try:
        return socket.gethostname()[:40]
    except OSError:
        return ""
