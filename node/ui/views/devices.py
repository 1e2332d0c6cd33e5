"""The outlet manager's devices screen: pick a technician and issue a device code (its QR
with the code text beside it and its expiry), the outlet's devices as HQ knows them
(technician, last sync, unsynced changes, release, status) and "retire" after a
confirmation. Everything here asks HQ; the calls run on a worker thread so the app stays
usable, and without a connection the screen says so in words."""
import asyncio

import flet as ft

from shared.errors import ServiceError
from shared.formatting import when
from shared.ui import widgets as w

from node.services.devices import DeviceList


class DevicesView:
    screen = "devices"
    live = False  # a sync round does not re-read HQ's list (a person asks with "refresh")

    def __init__(self, shell):
        self.shell = shell
        self.technician: str | None = None
        self.code = None         # the DeviceCode just issued (shown until the screen is left)
        self.listing = None      # the DeviceList last read from HQ
        self.busy = False
        self._loading = False

    def build(self) -> ft.Control:
        sh = self.shell
        if self.listing is None and not self._loading:
            self._loading = True
            sh.page.run_task(self.reload)
        return ft.Column([w.title(sh.t("devices")), self._issue(), self._list()], spacing=16, expand=True,
                         scroll=ft.ScrollMode.AUTO)

    async def reload(self) -> None:
        sh = self.shell
        try:
            self.listing = await asyncio.to_thread(sh.services.devices.devices, sh.session)
        except ServiceError as exc:  # shown in place of the list (not asked again until "refresh")
            self.listing = DeviceList((), exc.message(sh.lang))
        finally:
            self._loading = False
        if sh.view is self:
            sh.render()

    # ---- a code ----

    def _issue(self) -> ft.Control:
        sh = self.shell
        techs = sh.services.devices.technicians(sh.session)
        pick = ft.Dropdown(label=sh.t("device_technician"), value=self.technician, width=280, editable=True,
                           enable_filter=True, options=[ft.DropdownOption(key=c.key, text=c.text) for c in techs])

        async def issue(e):
            if self.busy:
                return
            self.technician, self.busy = pick.value, True
            try:
                self.code = await asyncio.to_thread(sh.services.devices.issue_code, sh.session, pick.value or "")
            except ServiceError as exc:
                sh.error(exc)
            finally:
                self.busy = False
            sh.render()

        parts: list[ft.Control] = [w.muted(sh.t("devices_hint")),
                                   ft.Row([pick, ft.FilledButton(sh.t("issue_code"), icon=ft.Icons.QR_CODE,
                                                                 disabled=self.busy, on_click=issue)],
                                          spacing=12, wrap=True)]
        if self.code is not None:
            c = self.code
            parts.append(ft.Row([
                ft.Image(src=c.qr_png(), width=220, height=220, semantics_label="QR"),
                ft.Column([ft.Text(sh.t("code_for", name=c.technician_name, at=when(c.expires_at, sh.lang)),
                                   weight=ft.FontWeight.W_500),
                           ft.Container(ft.Text(c.code, selectable=True, size=12, font_family="monospace"),
                                        bgcolor=ft.Colors.GREY_100, padding=10, border_radius=6)],
                          spacing=8, expand=True)],
                vertical_alignment=ft.CrossAxisAlignment.START, spacing=20))
        return w.section(sh.t("issue_code"), *parts)

    # ---- the outlet's devices ----

    def _list(self) -> ft.Control:
        sh = self.shell
        refresh = ft.TextButton(sh.t("refresh"), icon=ft.Icons.REFRESH, on_click=lambda e: self._refresh())
        if self.listing is None:
            return w.section(sh.t("device_list"), ft.ProgressRing(width=24, height=24))
        if self.listing.offline:
            return w.section(sh.t("device_list"), ft.Text(self.listing.offline, color=ft.Colors.RED_800),
                             actions=[refresh])
        rows = []
        for d in self.listing.devices:
            status = w.chip(sh.t("device_active"), ft.Colors.GREEN_700) if d.active \
                else w.chip(sh.t("device_retired"), ft.Colors.RED_700)
            rows.append([d.technician_name, d.name, status, when(d.last_seen_at, sh.lang),
                         "" if d.pending is None else str(d.pending), d.app_version,
                         ft.TextButton(sh.t("retire"), icon=ft.Icons.BLOCK, on_click=lambda e, d=d: self._retire(d))
                         if d.active else ""])
        body = w.table([sh.t(k) for k in ("technician", "device", "device_status", "last_sync", "pending_changes",
                                          "app_version", "retire")], rows, numeric={4}) if rows \
            else w.muted(sh.t("no_devices"))
        return w.section(sh.t("device_list"), body, actions=[refresh])

    def _refresh(self) -> None:
        self.listing, self._loading = None, False
        self.shell.render()

    def _retire(self, d) -> None:
        sh = self.shell

        async def yes():
            try:
                await asyncio.to_thread(sh.services.devices.retire, sh.session, d.node_id)
            except ServiceError as exc:
                return exc.message(sh.lang)
            sh.toast(sh.t("retired_done"))
            self._refresh()
            return None

        sh.show_form(w.form_dialog(sh.t("retire"), [ft.Text(sh.t("confirm_retire", technician=d.technician_name,
                                                                    name=d.name, n=d.pending or 0))],
                                   sh.t("retire"), sh.t("cancel"), yes))
