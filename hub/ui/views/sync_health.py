"""网点同步状态: every outlet PC and technician device, longest without a sync first, with
what it has not sent, what HQ refused from it today, its release, clock drift and fork
alerts; silent ones and old releases flagged; a region filter; the silence notices HQ
raised; CSV export (the browser downloads the file the service made)."""
import flet as ft

from shared.formatting import span, when
from shared.ui import widgets as w
from shared.ui.download import Download

from hub.services.sync_health import NodeHealth, SyncHealthBoard

ANY = "*"
SILENT_ROW = ft.Colors.RED_50


class SyncHealthView:
    screen = "sh_title"

    def __init__(self, shell):
        self.shell = shell
        self.region = ANY
        self.download = Download()

    def _region(self) -> str | None:
        return None if self.region == ANY else self.region

    async def export(self, e=None) -> None:
        sh = self.shell
        ok, made = sh.run(sh.services.sync_health.export_csv, sh.session, self._region())
        if not ok:
            return
        name, data = made
        await self.download.save(name, data, "csv")
        sh.toast(sh.t("sh_exported", name=name))

    def build(self) -> ft.Control:
        sh = self.shell
        board = sh.services.sync_health.board(sh.session, self._region())

        def pick_region(e):
            self.region = e.control.value or ANY
            sh.render()

        region = ft.Dropdown(label=sh.t("sh_region"), value=self.region, width=200, dense=True,
                             options=[ft.DropdownOption(key=ANY, text=sh.t("sh_any_region"))]
                             + [ft.DropdownOption(key=r, text=r) for r in board.regions], on_select=pick_region)
        summary = ft.Row([w.chip(sh.t("sh_summary", n=len(board.rows), silent=board.silent_count,
                                      hours=board.silent_hours, behind=board.behind_count),
                                 ft.Colors.RED_700 if board.silent_count else ft.Colors.GREEN_700)])
        return ft.Column([
            ft.Row([w.title(sh.t("sh_title")),
                    ft.TextButton(sh.t("sh_refresh"), icon=ft.Icons.REFRESH, on_click=lambda e: sh.render()),
                    ft.FilledButton(sh.t("sh_export"), icon=ft.Icons.DOWNLOAD, on_click=self.export)], spacing=16),
            w.muted(sh.t("sh_hint", hours=board.silent_hours), size=13),
            ft.Row([region], spacing=12, wrap=True), summary,
            self._nodes(board), self._notices(board)],
            spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _nodes(self, board: SyncHealthBoard) -> ft.Control:
        sh = self.shell
        rows = [ft.DataRow([ft.DataCell(c if isinstance(c, ft.Control) else ft.Text(str(c))) for c in self._cells(r)],
                           color=SILENT_ROW if r.silent else None) for r in board.rows]
        cols = ["sh_device", "sh_kind", "sh_outlet", "sh_last_sync", "sh_silent_for", "sh_pending", "sh_refused",
                "sh_release", "sh_drift", "sh_forks"]
        body = ft.Row([ft.DataTable(columns=[ft.DataColumn(ft.Text(sh.t(c), weight=ft.FontWeight.W_600))
                                             for c in cols],
                                    rows=rows, heading_row_height=40, data_row_min_height=40, column_spacing=18)],
                      scroll=ft.ScrollMode.AUTO) if rows else w.muted(sh.t("sh_none"))
        return w.section(sh.t("sh_title"), body)

    def _cells(self, r: NodeHealth) -> list:
        sh, lang = self.shell, self.shell.lang
        kind = sh.t("sh_kind_device") if r.kind == "device" else sh.t("sh_kind_outlet")
        if r.technician:
            kind = f"{kind} · {r.technician}"
        silent = ft.Row([ft.Text(span(r.silent_ms, lang)),
                         *([w.chip(sh.t("sh_silent"), ft.Colors.RED_700)] if r.silent else [])], spacing=4)
        release = ft.Row([ft.Text(f"{r.app_version or '?'} / {r.schema if r.schema is not None else '?'}"),
                          *([w.chip(sh.t("sh_behind"), ft.Colors.AMBER_900)] if r.behind else [])], spacing=4)
        drift = sh.t("sh_unknown") if r.clock_drift_ms is None else self._drift(r.clock_drift_ms)
        return [r.name, kind, f"{r.outlet_code} {r.outlet_name}".strip(),
                when(r.last_sync_at, lang) if r.last_sync_at else sh.t("sh_never"), silent,
                sh.t("sh_unknown") if r.pending is None else r.pending, r.refused_day or "",
                release, drift, r.open_forks or ""]

    def _drift(self, ms: int) -> str:
        """HQ's time − the device's: positive, the device's clock is behind."""
        if abs(ms) < 1000:
            return "0 s"
        size = span(ms, self.shell.lang) if abs(ms) >= 60_000 else f"{abs(ms) // 1000} s"
        return self.shell.t("sh_clock_behind" if ms > 0 else "sh_clock_ahead", t=size)

    def _notices(self, board: SyncHealthBoard) -> ft.Control:
        sh = self.shell
        rows = [[when(n.at, sh.lang), n.outlet_code, n.message] for n in board.notices]
        return w.section(sh.t("sh_notices"), w.table([sh.t("sh_notice_at"), sh.t("sh_outlet"), sh.t("sh_message")],
                                                     rows) if rows else w.muted(sh.t("sh_no_notices")))
