"""The SLA monitoring board (流程监控): filters by region, outlet, status and warning level;
orders counted by region × outlet × status; the open orders' SLA positions, most urgent
first, with rows past 50 / 75 % of their time and overdue ones highlighted; the overdue
orders escalated to HQ by the escalation job."""
import flet as ft

from shared import escalation as esc
from shared.formatting import span, when
from shared.labels import label
from shared.ui import widgets as w

ANY = "*"
# Row colours by level (shared/escalation.py LEVELS) and the chip colours.
ROW = {50: ft.Colors.AMBER_50, 75: ft.Colors.ORANGE_100, 100: ft.Colors.RED_100}
CHIP = {0: ft.Colors.GREEN_700, 50: ft.Colors.AMBER_800, 75: ft.Colors.DEEP_ORANGE_700, 100: ft.Colors.RED_700}


class MonitorView:
    screen = "monitor"

    def __init__(self, shell):
        self.shell = shell
        self.region, self.outlet, self.status, self.level = ANY, ANY, ANY, 0

    def build(self) -> ft.Control:
        sh = self.shell
        f = sh.services.monitor.filters(sh.session)
        board = sh.services.monitor.board(
            sh.session, region=None if self.region == ANY else self.region,
            outlet_id=None if self.outlet == ANY else self.outlet, status=None if self.status == ANY else self.status,
            min_level=self.level, limit=200)
        lv = board["levels"]
        summary = ft.Row([w.chip(sh.t("mon_levels", late=lv[100], p75=lv[75], p50=lv[50]), ft.Colors.RED_700),
                          w.muted(sh.t("mon_rule"), size=13)], spacing=16)
        return ft.Column([ft.Row([w.title(sh.t("mon_title")),
                                  ft.TextButton(sh.t("mon_refresh"), icon=ft.Icons.REFRESH,
                                                on_click=lambda e: sh.render())], spacing=16),
                          self._filters(f, board), summary,
                          self._escalations(board["escalations"]),
                          self._positions(board), self._counts(board)],
                         spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    # ---- filters ----

    def _filters(self, f: dict, board: dict) -> ft.Control:
        sh, lang = self.shell, self.shell.lang
        outlets = [o for o in f["outlets"] if self.region == ANY or o["region"] == self.region]

        def pick(attr):
            def handler(e):
                setattr(self, attr, int(e.control.value) if attr == "level" else e.control.value)
                if attr == "region":
                    self.outlet = ANY
                sh.render()
            return handler

        def dropdown(label_key, attr, options, width=180):
            return ft.Dropdown(label=sh.t(label_key), value=str(getattr(self, attr)), width=width, dense=True,
                               options=[ft.DropdownOption(key=k, text=v) for k, v in options], on_select=pick(attr))

        return ft.Row([
            dropdown("mon_region", "region", [(ANY, sh.t("mon_any_region"))] + [(r, r) for r in f["regions"]]),
            dropdown("mon_outlet", "outlet", [(ANY, sh.t("mon_any_outlet"))] + [(o["id"], o["name"]) for o in outlets],
                     width=240),
            dropdown("mon_status", "status", [(ANY, sh.t("mon_any_status"))]
                     + [(s, label("status", s, lang)) for s in board["statuses"]]),
            dropdown("mon_level", "level", [("0", sh.t("mon_any_level"))]
                     + [(str(lv), label("sla_level", lv, lang)) for lv in esc.LEVELS]),
        ], spacing=12, wrap=True)

    # ---- sections ----

    def _counts(self, board: dict) -> ft.Control:
        sh, lang = self.shell, self.shell.lang
        statuses = [s for s in board["statuses"] if any(c["status"] == s for c in board["counts"])]
        outlets: dict[str, dict] = {}
        for c in board["counts"]:
            o = outlets.setdefault(c["outlet_id"] or "", {"region": c["region"] or "", "name": c["outlet_name"] or "—",
                                                          "n": {}})
            o["n"][c["status"]] = c["n"]
        rows = [[o["region"], o["name"], *(o["n"].get(s, "") for s in statuses), sum(o["n"].values())]
                for o in outlets.values()]
        if rows:
            rows.append([ft.Text(sh.t("mon_total"), weight=ft.FontWeight.W_600), "",
                         *(sum(o["n"].get(s, 0) for o in outlets.values()) for s in statuses),
                         sum(sum(o["n"].values()) for o in outlets.values())])
        cols = [sh.t("mon_region"), sh.t("mon_outlet"), *(label("status", s, lang) for s in statuses),
                sh.t("mon_total")]
        return w.section(sh.t("mon_counts"), w.table(cols, rows, numeric=set(range(2, len(cols))))
                         if rows else w.muted(sh.t("mon_none")))

    def _positions(self, board: dict) -> ft.Control:
        sh, lang = self.shell, self.shell.lang
        rows = []
        for p in board["positions"]:
            if p.milestone is None:
                left = "—"
            elif p.paused:
                left = sh.t("mon_paused")
            elif p.remaining_ms is not None and p.remaining_ms < 0:
                left = sh.t("mon_late_by", t=span(-p.remaining_ms, lang))
            else:
                left = span(p.remaining_ms or 0, lang)
            cells = [p.number, p.outlet_name, w.status_chip(p.status, label("status", p.status, lang)),
                     label("order_type", p.type, lang), label("milestone", p.milestone, lang) if p.milestone else "—",
                     when(p.due_at, lang) if p.due_at else "—", left, f"{p.pct}%",
                     w.chip(label("sla_level", p.level, lang), CHIP[p.level])]
            rows.append(ft.DataRow([ft.DataCell(c if isinstance(c, ft.Control) else ft.Text(str(c))) for c in cells],
                                   color=ROW.get(p.level)))
        cols = ["mon_order", "mon_outlet", "mon_status", "mon_type", "mon_milestone", "mon_due", "mon_left",
                "mon_used", "mon_level"]
        body = ft.Row([ft.DataTable(columns=[ft.DataColumn(ft.Text(sh.t(c), weight=ft.FontWeight.W_600)) for c in cols],
                                    rows=rows, heading_row_height=40, data_row_min_height=40, column_spacing=20)],
                      scroll=ft.ScrollMode.AUTO) if rows else w.muted(sh.t("mon_none"))
        extra = [w.muted(sh.t("mon_more", n=len(rows)), size=13)] if len(rows) >= 200 else []
        return w.section(sh.t("mon_open", n=board["open_total"]), body, *extra)

    def _escalations(self, escalations: list[dict]) -> ft.Control:
        sh, lang = self.shell, self.shell.lang
        rows = [[ft.Text(e["number"] or "", color=ft.Colors.RED_800, weight=ft.FontWeight.W_600),
                 e["outlet_name"] or "", e["region"] or "", label("milestone", e["milestone"], lang),
                 when(e["due_at"], lang) if e["due_at"] else "—", when(e["at"], lang)] for e in escalations]
        return w.section(sh.t("mon_escalations"), w.table(
            [sh.t("mon_order"), sh.t("mon_outlet"), sh.t("mon_region"), sh.t("mon_milestone"), sh.t("mon_due"),
             sh.t("mon_escalated_at")], rows) if rows else w.muted(sh.t("mon_no_escalations")))
