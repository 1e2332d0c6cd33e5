"""HQ's reports (shared/reports.py names them and their columns): each reads the roll-ups
(hub/services/rollups.py) — never the orders — joined with the small reference tables for
names and regions, filtered by a month range, a region and an outlet. The settlement totals
read the settlements themselves (one row per outlet and month, indexed). A report comes back
as a `ReportResult`: its columns, its rows (raw values: counts, fen, percentages) and a
chart series; `export` turns one into an .xlsx file (hub/services/report_excel.py). The
analysis (dimensions and period chosen by the user) and the technician and agent reports are
answered by hub/services/report_analysis.py."""
from dataclasses import dataclass, field, replace

from shared.documents import DocStatus
from shared.errors import ServiceError
from shared.periods import local_datetime, valid_period
from shared.reports import (COLUMNS, MAX_DIMENSIONS, MEASURE_KEYS, Column, Dimension, Grain, Report, Unit,
                            analysis_columns, dimension_label, grain_label, measure_column, rate, title)
from shared.roles import HqWork

from hub.services import report_analysis as analysis
from hub.services.choices import OutletChoice, outlet_choices, regions_of
from hub.services.rollups import Rollups
from hub.services.session import HubSession

# Which roll-up a query reads: the outlet-level ones when one outlet is asked for, else the
# coarse ones (a few thousand rows whatever the number of orders).
ROLLUP = "hq_rollup_orders_month r LEFT JOIN outlets o ON o.id = r.outlet_id"
BY_REGION = "hq_rollup_region_month r"
BY_OUTLET = "hq_rollup_outlet_month r LEFT JOIN outlets o ON o.id = r.outlet_id"
PARTS = "hq_rollup_parts_month r LEFT JOIN outlets o ON o.id = r.outlet_id"
PARTS_BY_REGION = "hq_rollup_parts_region_month r"


@dataclass(frozen=True)
class ReportFilter:
    month_from: str | None = None   # "YYYY-MM", inclusive
    month_to: str | None = None     # "YYYY-MM", inclusive
    region: str | None = None
    outlet_id: str | None = None
    # the analysis only: what it groups by (Dimension values, at most MAX_DIMENSIONS), the
    # period (a Grain value) and the measure its chart shows (an ANALYSIS_MEASURES key)
    dims: tuple[str, ...] = ()
    grain: str = Grain.MONTH
    measure: str = "complaint_rate"


@dataclass(frozen=True)
class Chart:
    kind: str                       # "bar" | "line"
    labels: list[str]               # x axis
    series: list[tuple[str, list]]  # (column key, values)
    unit: Unit = Unit.COUNT
    names: tuple[str, ...] = ()     # the series' titles in the reader's language


@dataclass(frozen=True, slots=True)
class ReportChoices:
    """What the report filters offer."""
    months: tuple[str, ...]
    regions: tuple[str, ...]
    outlets: tuple[OutletChoice, ...]


@dataclass(frozen=True, slots=True)
class Freshness:
    """How current the roll-ups are, for the line under the filters."""
    as_of: int | None               # when last folded or built; None: never
    dirty: int                      # changed orders not folded in yet
    never_built: bool


@dataclass
class ReportResult:
    report: Report
    title: str
    columns: tuple[Column, ...]
    rows: list[dict]
    chart: Chart | None = None
    filters: ReportFilter = field(default_factory=ReportFilter)
    scope: str = ""                 # the filters in words, e.g. "2026-04 – 2026-05 · 华东大区"
    headings: tuple[str, ...] = ()  # the columns' titles in the reader's language


class Reports:
    def __init__(self, ctx):
        self.ctx = ctx

    # ---- what the screens offer ----

    def choices(self, session: HubSession) -> ReportChoices:
        """Regions, outlets and months the filters offer."""
        self.ctx.allow(session, HqWork.REPORTS)
        outlets = outlet_choices(self.ctx, active_only=False)
        months = tuple(r["month"] for r in self.ctx.query(
            "SELECT DISTINCT month FROM hq_rollup_outlet_month WHERE month != '' ORDER BY month"))
        return ReportChoices(months, regions_of(outlets), outlets)

    def freshness(self, session: HubSession) -> Freshness:
        """How current the roll-ups are (hub/services/rollups.py `status`)."""
        self.ctx.allow(session, HqWork.REPORTS)
        status = Rollups(self.ctx).status()
        at = status["folded_at"] or status["built_at"]
        return Freshness(int(at) if at else None, status["dirty"], status["rebuild_due"] and not at)

    def refresh(self, session: HubSession) -> int:
        """Fold the waiting changes in now rather than at the job's next run."""
        self.ctx.allow(session, HqWork.REPORTS)
        return Rollups(self.ctx).fold()

    def run(self, session: HubSession, report: str, filters: ReportFilter | None = None) -> ReportResult:
        self.ctx.allow(session, HqWork.REPORTS)
        try:
            key = Report(report)
        except ValueError:
            raise ServiceError.of("report_unknown") from None
        f = _check(filters or ReportFilter())
        lang = session.lang
        if key in PEOPLE or key == Report.ANALYSIS:
            rows, chart = getattr(self, f"_{key.value}")(f, lang)
        else:
            rows, chart = getattr(self, f"_{key.value}")(f)
        columns = analysis_columns(f.dims, f.grain) if key == Report.ANALYSIS else COLUMNS[key]
        titles = {c.key: c.title(lang) for c in columns}
        chart = replace(chart, names=tuple(titles[k] for k, _ in chart.series))
        scope = self._scope(f)
        if key == Report.ANALYSIS:  # what it is grouped by, e.g. "网点 × 服务类型 · 按周"
            shape = " × ".join(dimension_label(d, lang) for d in f.dims)
            scope = " · ".join(x for x in (shape, grain_label(f.grain, lang), scope) if x)
        return ReportResult(key, title(key, lang), columns, rows, chart, f, scope,
                            tuple(titles.values()))

    def export(self, session: HubSession, report: str, filters: ReportFilter | None = None) -> tuple[str, bytes]:
        """(file name, .xlsx bytes) of a report as run now."""
        from hub.services.report_excel import to_xlsx
        result = self.run(session, report, filters)
        self.ctx.audit(session, "report_exported", str(result.report), result.scope)
        stamp = local_datetime(self.ctx.now()).strftime("%Y%m%d-%H%M")
        return f"{result.report}-{stamp}.xlsx", to_xlsx(result, session.lang)

    def _scope(self, f: ReportFilter) -> str:
        months = " – ".join(m for m in (f.month_from, f.month_to) if m)
        outlet = self.ctx.one("SELECT code, name FROM outlets WHERE id = ?", (f.outlet_id,)) if f.outlet_id else None
        return " · ".join(x for x in (months, f.region, outlet and f"{outlet['code']} {outlet['name']}") if x)

    # ---- the analysis and the people reports (hub/services/report_analysis.py) ----

    def _analysis(self, f: ReportFilter, lang: str):
        dims, grain = tuple(Dimension(d) for d in f.dims), Grain(f.grain)
        _, groups = analysis.grouped(self.ctx, dims, grain, month_from=f.month_from, month_to=f.month_to,
                                     region=f.region, outlet_id=f.outlet_id)
        names = analysis.Names(self.ctx, lang)
        rows = analysis.rows_of(groups, dims, names)
        unit = measure_column(f.measure).unit
        if grain != Grain.NONE:  # the measure over time, all groups together
            by = analysis.totals(groups, lambda g: g.period)
            return rows, Chart("line", list(by), [(f.measure, [m[f.measure] or 0 for m in by.values()])], unit)
        if dims:  # the measure by the first dimension, the twelve with the most orders
            by = analysis.totals(groups, lambda g: names.of(dims[0], g.keys[dims[0]]))
            top = sorted(by.items(), key=lambda kv: -kv[1]["orders"])[:12]
            return rows, Chart("bar", [k for k, _ in top], [(f.measure, [m[f.measure] or 0 for _, m in top])], unit)
        return rows, Chart("bar", [], [(f.measure, [])], unit)

    def _technicians(self, f: ReportFilter, lang: str):
        return self._people(f, lang, Dimension.TECHNICIAN)

    def _agents(self, f: ReportFilter, lang: str):
        return self._people(f, lang, Dimension.AGENT)

    def _people(self, f: ReportFilter, lang: str, dim: Dimension):
        """One row per technician (with their outlet) or agent who had orders in the range."""
        _, groups = analysis.grouped(self.ctx, (dim,), Grain.NONE, month_from=f.month_from, month_to=f.month_to,
                                     region=f.region, outlet_id=f.outlet_id, set_only=dim)
        names = analysis.Names(self.ctx, lang)
        rows = []
        for g in groups:
            row = {str(dim): names.of(dim, g.keys[dim])}
            if dim == Dimension.TECHNICIAN:
                row["outlet"] = names.outlet_of_user(g.keys[dim])
            row.update(analysis.measures(g.sums))
            rows.append(row)
        rows.sort(key=lambda r: (r.get("outlet", ""), r[str(dim)]))
        top = sorted(rows, key=lambda r: -r["orders"])[:12]
        return rows, Chart("bar", [r[str(dim)] for r in top], [("ftf_rate", [r["ftf_rate"] or 0 for r in top])],
                           Unit.PCT)

    # ---- the reports ----

    def _orders_complaints(self, f: ReportFilter):
        source, region = _by_model(f)
        where, params = _where(f, region)
        rows = self.ctx.query(
            f"SELECT COALESCE(pm.code || ' ' || pm.name, r.model_id) AS model, COALESCE({region}, '') AS region, "
            f"r.month, SUM(r.orders) AS orders, SUM(r.complained) AS complained, "
            f"SUM(r.unsatisfied) AS unsatisfied, SUM(r.satisfied) AS satisfied "
            f"FROM {source} LEFT JOIN product_models pm ON pm.id = r.model_id {where} "
            f"GROUP BY r.model_id, {region}, r.month ORDER BY r.month, model, region", params)
        for r in rows:
            r["complaint_rate"] = rate(r["complained"], r["orders"])
            r["unsatisfied_rate"] = rate(r["unsatisfied"], r["unsatisfied"] + r.pop("satisfied"))
        months = self._by_month(f, "SUM(r.orders) AS orders", source, region)
        return rows, Chart("bar", [m["month"] for m in months], [("orders", [m["orders"] for m in months])])

    def _failure_rate(self, f: ReportFilter):
        source, region = _by_model(f)
        where, params = _where(f, region)
        rows = self.ctx.query(
            f"SELECT COALESCE(pm.code || ' ' || pm.name, r.model_id) AS model, SUM(r.orders) AS orders, "
            f"SUM(r.with_parts) AS with_parts, SUM(r.parts_qty) AS parts_qty "
            f"FROM {source} LEFT JOIN product_models pm ON pm.id = r.model_id {where} "
            f"GROUP BY r.model_id ORDER BY model", params)
        for r in rows:
            r["failure_rate"] = rate(r["with_parts"], r["orders"])
        rows.sort(key=lambda r: -(r["failure_rate"] or 0))
        return rows, Chart("bar", [r["model"] for r in rows[:12]],
                           [("failure_rate", [r["failure_rate"] or 0 for r in rows[:12]])], Unit.PCT)

    def _part_consumption(self, f: ReportFilter):
        source, region = (PARTS, "o.region") if f.outlet_id else (PARTS_BY_REGION, "r.region")
        where, params = _where(f, region)
        rows = self.ctx.query(
            f"SELECT COALESCE(p.name, r.part_id) AS part, COALESCE(p.sku, '') AS sku, "
            f"COALESCE(pm.code || ' ' || pm.name, r.model_id) AS model, SUM(r.qty) AS qty, SUM(r.orders) AS orders, "
            f"SUM(r.qty) * COALESCE(p.unit_price, 0) AS amount "
            f"FROM {source} LEFT JOIN parts p ON p.id = r.part_id "
            f"LEFT JOIN product_models pm ON pm.id = r.model_id {where} "
            f"GROUP BY r.part_id, r.model_id ORDER BY qty DESC, part, model", params)
        top: dict[str, int] = {}
        for r in rows:
            top[r["part"]] = top.get(r["part"], 0) + r["qty"]
        best = sorted(top.items(), key=lambda kv: -kv[1])[:12]
        return rows, Chart("bar", [k for k, _ in best], [("qty", [v for _, v in best])])

    def _satisfaction(self, f: ReportFilter):
        rows = self._by_outlet(f, "SUM(r.callbacks) AS callbacks, SUM(r.satisfied) AS satisfied, "
                                  "SUM(r.unsatisfied) AS unsatisfied, SUM(r.unreachable) AS unreachable, "
                                  "SUM(r.scored) AS scored, SUM(r.score_sum) AS score_sum")
        for r in rows:
            r["satisfaction_rate"] = rate(r["satisfied"], r["satisfied"] + r["unsatisfied"])
            scored, total = r.pop("scored"), r.pop("score_sum")
            r["avg_score"] = round(total / scored, 2) if scored else None
        return rows, Chart("bar", [r["outlet"] for r in rows],
                           [("satisfaction_rate", [r["satisfaction_rate"] or 0 for r in rows])], Unit.PCT)

    def _sla(self, f: ReportFilter):
        where, params = _where(f, "o.region")
        rows = self.ctx.query(
            f"SELECT COALESCE(o.code || ' ' || o.name, r.outlet_id) AS outlet, r.month, SUM(r.sla_due) AS due, "
            f"SUM(r.sla_met) AS met, SUM(r.accept_due) AS ad, SUM(r.accept_met) AS am, SUM(r.on_site_due) AS od, "
            f"SUM(r.on_site_met) AS om, SUM(r.complete_due) AS cd, SUM(r.complete_met) AS cm "
            f"FROM {BY_OUTLET} {where} GROUP BY r.outlet_id, o.code, o.name, r.month ORDER BY outlet, r.month", params)
        for r in rows:
            r["compliance"] = rate(r["met"], r["due"])
            r["accept_rate"] = rate(r.pop("am"), r.pop("ad"))
            r["on_site_rate"] = rate(r.pop("om"), r.pop("od"))
            r["complete_rate"] = rate(r.pop("cm"), r.pop("cd"))
        months = self._by_month(f, "SUM(r.sla_due) AS due, SUM(r.sla_met) AS met", BY_OUTLET, "o.region")
        return rows, Chart("line", [m["month"] for m in months],
                           [("compliance", [rate(m["met"], m["due"]) or 0 for m in months])], Unit.PCT)

    def _scorecard(self, f: ReportFilter):
        rows = self._by_outlet(f, "SUM(r.orders) AS orders, SUM(r.completed) AS completed, SUM(r.timed) AS timed, "
                                  "SUM(r.on_time) AS on_time, SUM(r.ftf) AS ftf, SUM(r.repairs) AS repairs, "
                                  "SUM(r.repeats) AS repeats, SUM(r.complained) AS complained")
        for r in rows:
            r["on_time_rate"] = rate(r.pop("on_time"), r.pop("timed"))
            r["ftf_rate"] = rate(r.pop("ftf"), r["completed"])
            r["repeat_rate"] = rate(r["repeats"], r.pop("repairs"))
            r["complaint_rate"] = rate(r.pop("complained"), r["orders"])
        return rows, Chart("bar", [r["outlet"] for r in rows],
                           [("on_time_rate", [r["on_time_rate"] or 0 for r in rows]),
                            ("ftf_rate", [r["ftf_rate"] or 0 for r in rows])], Unit.PCT)

    def _settlements(self, f: ReportFilter):
        where, params = ["s.status IN (?, ?)"], [str(DocStatus.SUBMITTED), str(DocStatus.APPROVED)]
        for cond, value in (("s.period >= ?", f.month_from), ("s.period <= ?", f.month_to),
                            ("o.region = ?", f.region), ("s.outlet_id = ?", f.outlet_id)):
            if value:
                where.append(cond)
                params.append(value)
        rows = self.ctx.query(
            "SELECT COALESCE(o.code || ' ' || o.name, s.outlet_id) AS outlet, s.period, "
            "SUM(CASE WHEN s.status = 'submitted' THEN 1 ELSE 0 END) AS submitted, "
            "SUM(CASE WHEN s.status = 'submitted' THEN s.total END) AS submitted_total, "
            "SUM(CASE WHEN s.status = 'approved' THEN 1 ELSE 0 END) AS approved, "
            "SUM(CASE WHEN s.status = 'approved' THEN s.total END) AS approved_total "
            "FROM settlements s LEFT JOIN outlets o ON o.id = s.outlet_id WHERE " + " AND ".join(where) +
            " GROUP BY s.outlet_id, o.code, o.name, s.period ORDER BY s.period, outlet", params)
        for r in rows:
            r["submitted_total"] = r["submitted_total"] or 0
            r["approved_total"] = r["approved_total"] or 0
        periods: dict[str, int] = {}
        for r in rows:
            periods[r["period"]] = periods.get(r["period"], 0) + r["approved_total"]
        labels = sorted(periods)
        return rows, Chart("bar", labels, [("approved_total", [periods[p] for p in labels])], Unit.YUAN)

    # ---- shared shapes ----

    def _by_outlet(self, f: ReportFilter, sums: str) -> list[dict]:
        where, params = _where(f, "o.region")
        return self.ctx.query(
            f"SELECT COALESCE(o.code || ' ' || o.name, r.outlet_id) AS outlet, COALESCE(o.region, '') AS region, "
            f"{sums} FROM {BY_OUTLET} {where} GROUP BY r.outlet_id, o.code, o.name, o.region ORDER BY outlet", params)

    def _by_month(self, f: ReportFilter, sums: str, source: str, region: str) -> list[dict]:
        where, params = _where(f, region)
        return self.ctx.query(f"SELECT r.month, {sums} FROM {source} {where} GROUP BY r.month ORDER BY r.month",
                              params)


def _by_model(f: ReportFilter) -> tuple[str, str]:
    """(roll-up, region column) for the reports by product model."""
    return (ROLLUP, "o.region") if f.outlet_id else (BY_REGION, "r.region")


PEOPLE = (Report.TECHNICIANS, Report.AGENTS)


def _check(f: ReportFilter) -> ReportFilter:
    for d in f.dims:
        if d not in Dimension.__members__.values():
            raise ServiceError.of("report_dimension", dimension=str(d))
    if len(set(f.dims)) != len(f.dims):
        raise ServiceError.of("report_dimension_twice")
    if len(f.dims) > MAX_DIMENSIONS:
        raise ServiceError.of("report_dimensions_max", n=MAX_DIMENSIONS)
    if f.grain not in Grain.__members__.values():
        raise ServiceError.of("report_grain", grain=str(f.grain))
    if f.measure not in MEASURE_KEYS:
        raise ServiceError.of("report_measure", measure=str(f.measure))
    f = replace(f, dims=tuple(Dimension(d) for d in f.dims), grain=Grain(f.grain))
    for month in (f.month_from, f.month_to):
        if month and not valid_period(month):
            raise ServiceError.of("bad_period")
    if f.month_from and f.month_to and f.month_from > f.month_to:
        raise ServiceError.of("report_month_range")
    return f


def _where(f: ReportFilter, region: str) -> tuple[str, list]:
    """The filters over a roll-up aliased `r`, its region in column `region`."""
    where, params = ["r.month != ''"], []
    for cond, value in (("r.month >= ?", f.month_from), ("r.month <= ?", f.month_to),
                        (f"{region} = ?", f.region), ("r.outlet_id = ?", f.outlet_id)):
        if value:
            where.append(cond)
            params.append(value)
    return "WHERE " + " AND ".join(where), params
