"""HQ's reports screen: pick a report, narrow it by months, region and outlet, read its
chart and table, export it to Excel (the browser downloads the file the service made).
The analysis (自定义分析) adds what to group by — up to two dimensions — the period grain and
the measure its chart shows. Figures come from the roll-ups; the line under the filters says
how current they are."""
import dataclasses

import flet as ft

from hub.services.reports import Freshness, ReportChoices, ReportFilter
from hub.ui.views.report_chart import chart
from shared.ui.widgets import muted, section, table, title
from shared.errors import ServiceError
from shared.formatting import when, yuan
from shared.reports import (ANALYSIS_MEASURES, MAX_DIMENSIONS, Dimension, Grain, Report, Unit, dimension_label,
                            grain_label)
from shared.reports import title as report_title
from shared.ui.download import Download

MAX_ROWS = 300


def shown(unit: Unit, value) -> str:
    if value is None:
        return "—"
    if unit == Unit.YUAN:
        return yuan(value)
    if unit == Unit.PCT:
        return f"{value:.1f}%"
    if unit == Unit.SCORE:
        return f"{value:.2f}"
    if unit == Unit.HOURS:
        return f"{value:.1f}"
    if unit == Unit.COUNT:
        return f"{value:,}"
    return str(value)


class ReportsView:
    screen = "reports"

    def __init__(self, shell, report: str = Report.SCORECARD, filters: ReportFilter | None = None):
        self.shell = shell
        self.report = Report(report)
        self.filters = filters or ReportFilter()
        self.download = Download()

    # ---- actions ----

    def pick(self, report: Report) -> None:
        self.report = report
        self.shell.render()

    def set_filter(self, name: str, value: str | None) -> None:
        self.filters = dataclasses.replace(self.filters, **{name: value or None})
        self.shell.render()

    def set_dimension(self, index: int, value: str | None) -> None:
        """The analysis's n-th dimension; none clears it and those after it."""
        dims = list(self.filters.dims[:index])
        if value:
            dims += [value, *(d for d in self.filters.dims[index + 1:] if d != value)]
        self.filters = dataclasses.replace(self.filters, dims=tuple(dims[:MAX_DIMENSIONS]))
        self.shell.render()

    def set_choice(self, name: str, value: str) -> None:
        """The analysis's grain or chart measure."""
        self.filters = dataclasses.replace(self.filters, **{name: value})
        self.shell.render()

    def refresh(self, e=None) -> None:
        sh = self.shell
        ok, n = sh.run(sh.services.reports.refresh, sh.session)
        if ok:
            sh.toast(sh.t("rep_refreshed", n=n))
            sh.render()

    async def export(self, e=None) -> None:
        sh = self.shell
        ok, made = sh.run(sh.services.reports.export, sh.session, self.report, self.filters)
        if not ok:
            return
        name, data = made
        await self.download.save(name, data, "xlsx")
        sh.toast(sh.t("rep_exported", name=name))

    # ---- the screen ----

    def build(self) -> ft.Control:
        sh = self.shell
        choices = sh.services.reports.choices(sh.session)
        fresh = sh.services.reports.freshness(sh.session)
        try:
            result = sh.services.reports.run(sh.session, self.report, self.filters)
        except ServiceError as exc:  # a bad filter: say so and show the report unfiltered
            sh.error(exc)
            self.filters = ReportFilter()
            result = sh.services.reports.run(sh.session, self.report, self.filters)
        lang = sh.lang
        picker = ft.Row([(ft.FilledButton if r == self.report else ft.OutlinedButton)(
            report_title(r, lang), on_click=lambda e, r=r: self.pick(r)) for r in Report], wrap=True, spacing=8)
        body = [title(sh.t("reports")), picker, self._filters(choices)]
        if self.report == Report.ANALYSIS:
            body.append(self._analysis())
        body.append(self._freshness(fresh))
        if not result.rows:
            body.append(muted(sh.t("rep_empty")))
        else:
            body.append(section(f"{result.title} · {sh.t('rep_chart')}", chart(result.chart)))
            body.append(self._table(result))
        return ft.Column(body, spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)

    def _filters(self, choices: ReportChoices) -> ft.Control:
        sh, f = self.shell, self.filters
        every = ft.DropdownOption(key="", text=sh.t("rep_all"))

        def dropdown(label: str, name: str, options: list[tuple[str, str]], width: int = 170):
            return ft.Dropdown(label=label, value=getattr(f, name) or "", width=width, dense=True,
                               options=[every, *(ft.DropdownOption(key=k, text=v) for k, v in options)],
                               on_select=lambda e: self.set_filter(name, e.control.value))

        months = [(m, m) for m in choices.months]
        return ft.Row([
            dropdown(sh.t("rep_month_from"), "month_from", months),
            dropdown(sh.t("rep_month_to"), "month_to", months),
            dropdown(sh.t("rep_region"), "region", [(r, r) for r in choices.regions]),
            dropdown(sh.t("rep_outlet"), "outlet_id", [(o.id, f"{o.code} {o.name}") for o in choices.outlets],
                     width=240),
            ft.FilledButton(sh.t("rep_export"), icon=ft.Icons.DOWNLOAD, on_click=self.export),
        ], wrap=True, spacing=12)

    def _analysis(self) -> ft.Control:
        """What the analysis groups by and shows: two dimensions (the second never the first's),
        the period grain and the chart's measure."""
        sh, f, lang = self.shell, self.filters, self.shell.lang
        none = ft.DropdownOption(key="", text=sh.t("rep_no_dimension"))

        def dimension(index: int) -> ft.Control:
            taken = set(f.dims[:index])
            options = [ft.DropdownOption(key=str(d), text=dimension_label(d, lang)) for d in Dimension
                       if d not in taken]
            value = f.dims[index] if index < len(f.dims) else ""
            return ft.Dropdown(label=sh.t("rep_dimension", n=index + 1), value=value, width=150, dense=True,
                               options=[none, *options], disabled=index > len(f.dims),
                               on_select=lambda e: self.set_dimension(index, e.control.value or None))

        grain = ft.Dropdown(label=sh.t("rep_grain"), value=str(f.grain), width=140, dense=True,
                            options=[ft.DropdownOption(key=str(g), text=grain_label(g, lang)) for g in Grain],
                            on_select=lambda e: self.set_choice("grain", e.control.value or Grain.MONTH))
        measure = ft.Dropdown(label=sh.t("rep_measure"), value=f.measure, width=220, dense=True,
                              options=[ft.DropdownOption(key=c.key, text=c.title(lang)) for c in ANALYSIS_MEASURES],
                              on_select=lambda e: self.set_choice("measure", e.control.value or "complaint_rate"))
        return ft.Row([*(dimension(i) for i in range(MAX_DIMENSIONS)), grain, measure], wrap=True, spacing=12)

    def _freshness(self, fresh: Freshness) -> ft.Control:
        sh = self.shell
        text = sh.t("rep_never_built") if fresh.never_built else \
            sh.t("rep_as_of", at=when(fresh.as_of, sh.lang) if fresh.as_of else "—", dirty=fresh.dirty)
        return ft.Row([muted(text), ft.TextButton(sh.t("rep_refresh"), icon=ft.Icons.REFRESH, on_click=self.refresh)])

    def _table(self, result) -> ft.Control:
        sh, cols = self.shell, result.columns
        numeric = {i for i, c in enumerate(cols) if c.unit != Unit.TEXT}
        rows = [[shown(c.unit, r.get(c.key)) for c in cols] for r in result.rows[:MAX_ROWS]]
        extra = [muted(sh.t("rep_more_rows", shown=MAX_ROWS, total=len(result.rows)))] \
            if len(result.rows) > MAX_ROWS else []
        return section(f"{result.title} · {sh.t('rep_table')}", table(list(result.headings), rows, numeric), *extra)
