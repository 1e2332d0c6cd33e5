"""A report's chart series (hub/services/reports.py `Chart`) drawn with flet-charts: bars
for counts, amounts and rates by outlet or model, a line for a rate by month."""
import math

import flet as ft
import flet_charts as fch

from shared.reports import Unit

COLORS = (ft.Colors.INDIGO_400, ft.Colors.TEAL_400, ft.Colors.AMBER_600, ft.Colors.PINK_300)
MAX_LABEL = 8


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"


def _shown(unit: Unit, v) -> float:
    return (v or 0) / 100 if unit == Unit.YUAN else (v or 0)


def _step(values: list[float], unit: Unit) -> float:
    """A round grid step (1, 2 or 5 × 10^k) so that four steps cover the largest value."""
    if unit == Unit.PCT:
        return 25
    top = max([v for v in values if v is not None] or [0]) or 1
    raw = top / 4
    scale = 10 ** math.floor(math.log10(raw))
    return next(m * scale for m in (1, 2, 5, 10) if m * scale >= raw)


MAX_TICKS = 14  # more periods than this (weeks, days): every n-th is labelled


def _axes(labels: list[str], step: float):
    every = math.ceil(len(labels) / MAX_TICKS) if labels else 1
    bottom = fch.ChartAxis(labels=[fch.ChartAxisLabel(value=i, label=ft.Text(_short(s), size=11))
                                   for i, s in enumerate(labels) if i % every == 0], label_size=28)
    left = fch.ChartAxis(labels=[fch.ChartAxisLabel(value=step * k, label=ft.Text(
        f"{step * k:,.0f}" if step >= 1 else f"{step * k:,.2f}", size=11)) for k in range(5)],
        label_spacing=step, label_size=56)
    return bottom, left


def legend(names: list[str]) -> ft.Control:
    return ft.Row([ft.Row([ft.Container(width=12, height=12, bgcolor=COLORS[i % len(COLORS)], border_radius=2),
                           ft.Text(n, size=12)], spacing=4) for i, n in enumerate(names)], spacing=16)


def chart(spec, height: int = 260) -> ft.Control:
    values = [[_shown(spec.unit, v) for v in vals] for _, vals in spec.series]
    step = _step([v for vals in values for v in vals], spec.unit)
    top = step * 4
    bottom, left = _axes(spec.labels, step)
    grid = fch.ChartGridLines(interval=step, color=ft.Colors.GREY_300, width=1)
    if spec.kind == "line":
        body = fch.LineChart(
            data_series=[fch.LineChartData(points=[fch.LineChartDataPoint(x=i, y=v) for i, v in enumerate(vals)],
                                           color=COLORS[k % len(COLORS)], stroke_width=3, point=True)
                         for k, vals in enumerate(values)],
            min_y=0, max_y=top, min_x=-0.3, max_x=max(len(spec.labels) - 0.7, 0.7), left_axis=left,
            bottom_axis=bottom, horizontal_grid_lines=grid, interactive=True, height=height, expand=True)
    else:
        width = max(6, min(28, 360 // max(1, len(spec.labels) * len(values))))
        body = fch.BarChart(
            groups=[fch.BarChartGroup(x=i, rods=[
                fch.BarChartRod(to_y=vals[i], width=width, color=COLORS[k % len(COLORS)], border_radius=2,
                                tooltip=f"{spec.labels[i]}: {vals[i]:,.1f}")
                for k, vals in enumerate(values)]) for i in range(len(spec.labels))],
            max_y=top, left_axis=left, bottom_axis=bottom, horizontal_grid_lines=grid, interactive=True,
            height=height, expand=True)
    return ft.Column([legend(list(spec.names)), body], spacing=8)
