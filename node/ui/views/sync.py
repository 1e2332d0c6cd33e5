"""The sync panel: last sync, HQ reachable, changes waiting to upload, every change HQ
refused with the reason in words, and "sync now"."""
import asyncio

import flet as ft

from shared.formatting import when

from node.services import ServiceError

from shared.ui import widgets as w


class SyncView:
    screen = "sync"

    def __init__(self, shell):
        self.shell = shell
        self.busy = False

    def build(self) -> ft.Control:
        sh, lang = self.shell, self.shell.lang
        v = sh.services.sync.view(sh.session)
        reach = {True: (sh.t("reachable"), ft.Colors.GREEN_700), False: (sh.t("unreachable"), ft.Colors.RED_700),
                 None: (sh.t("unknown"), ft.Colors.GREY_700)}[v.hub_reachable]
        status = w.section(sh.t("sync"),
                           w.kv(sh.t("last_sync"), when(v.last_sync_at, lang)),
                           w.kv(sh.t("last_attempt"), when(v.last_attempt_at, lang)),
                           ft.Row([ft.Text(sh.t("hub"), color=ft.Colors.GREY_700, width=110),
                                   ft.Text(reach[0], color=reach[1], weight=ft.FontWeight.W_600)]),
                           *([ft.Text(v.last_error, color=ft.Colors.RED_800)] if v.last_error else []),
                           w.kv(sh.t("pending"), v.pending),
                           actions=[ft.FilledButton(sh.t("syncing") if self.busy else sh.t("sync_now"),
                                                    icon=ft.Icons.SYNC, disabled=self.busy, on_click=self._sync)])
        rows = [[r.table_label, r.row_label, ft.Text(r.reason, color=ft.Colors.RED_800), r.detail, when(r.at, lang)]
                for r in reversed(v.refused)]
        refused = w.section(sh.t("refused"), w.table(
            [sh.t("kind_col"), sh.t("record"), sh.t("reason"), sh.t("hq_detail"), sh.t("at")], rows)
            if rows else w.muted(sh.t("no_refused")))
        gone = [[r.table_label, r.row_label, ft.Text(r.reason, color=ft.Colors.RED_800), when(r.at, lang)]
                for r in v.lost]
        lost = [w.section(sh.t("lost"), w.table(
            [sh.t("kind_col"), sh.t("record"), sh.t("reason"), sh.t("at")], gone))] if gone else []
        return ft.Column([w.title(sh.t("sync")), status, refused, *lost], spacing=12, expand=True,
                         scroll=ft.ScrollMode.AUTO)

    async def _sync(self, e) -> None:
        """The round talks to HQ on a worker thread: this session and every other one
        stay usable meanwhile (the round holds the store lock only per transaction)."""
        sh = self.shell
        if self.busy:
            return
        self.busy = True
        sh.render()
        try:
            view = await asyncio.to_thread(sh.services.sync.sync_now, sh.session)
        except ServiceError as exc:
            view = None
            sh.error(exc)
        finally:
            self.busy = False
        sh.render()
        if view is not None and view.last_error:
            sh.toast(view.last_error)
        elif view is not None:
            sh.toast(sh.t("synced"))
