"""HQ's reports, named once: each report's key, title and columns (with the unit a column is
shown and exported in), and the windows the measures use. The hub's report services, the
HQ screens and the Excel export all read these, so a column is called the same everywhere.
The analysis (Report.ANALYSIS) is the report whose shape the user chooses: up to
MAX_DIMENSIONS dimensions (model, region, outlet, type, technician, agent), a period grain
(month, ISO week, day or none) and the measures of ANALYSIS_MEASURES."""
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

# A repair of the same appliance (serial number) completed within this many days after an
# earlier repair of it counts as a repeat repair, and the earlier one as not fixed first time.
REPEAT_DAYS = 30


class Report(StrEnum):
    ORDERS_COMPLAINTS = "orders_complaints"   # orders and complaint rate by model × region × month
    FAILURE_RATE = "failure_rate"             # orders with a part replaced / orders, by model
    PART_CONSUMPTION = "part_consumption"     # parts used by part × model
    SATISFACTION = "satisfaction"             # callback results and scores by outlet
    SLA = "sla"                               # SLA milestones met vs due by outlet × month
    SCORECARD = "scorecard"                   # on time, first-time fix, repeat repair by outlet
    SETTLEMENTS = "settlements"               # submitted / approved settlement totals by outlet × period
    TECHNICIANS = "technicians"               # each technician's orders, first-time fix, repeats, scores, hours
    AGENTS = "agents"                         # the same for each agent, over the orders their calls created
    ANALYSIS = "analysis"                     # measures by dimensions and period chosen by the user


class Dimension(StrEnum):
    """What an analysis groups by. The agent of an order is the HQ user who recorded the
    call that created it (the first repair / install request); outlets' own orders have none."""
    MODEL = "model"
    REGION = "region"
    OUTLET = "outlet"
    TYPE = "type"
    TECHNICIAN = "technician"
    AGENT = "agent"


MAX_DIMENSIONS = 2


class Grain(StrEnum):
    """The period an analysis groups by: the order's local creation date's month, ISO week
    ("2026-W15") or day; NONE adds no period (the month range still filters)."""
    MONTH = "month"
    WEEK = "week"
    DAY = "day"
    NONE = "none"


class Unit(StrEnum):
    TEXT = "text"
    COUNT = "count"
    PCT = "pct"        # a rate shown as a percentage (values are 0–100, one decimal)
    YUAN = "yuan"      # values are fen; shown and exported as yuan
    SCORE = "score"    # an average callback score (0–100)
    HOURS = "hours"    # a duration in hours (one decimal)


UNIT_LABELS = {Unit.PCT: ("%", "%"), Unit.YUAN: ("元", "yuan"), Unit.COUNT: ("单", "orders"),
               Unit.SCORE: ("分", "points"), Unit.HOURS: ("小时", "hours"), Unit.TEXT: ("", "")}


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    unit: Unit = Unit.COUNT

    def title(self, lang: str = "zh") -> str:
        name = self.en if lang == "en" else self.zh
        unit = UNIT_LABELS[self.unit][1 if lang == "en" else 0]
        if self.unit in (Unit.TEXT, Unit.COUNT) or not unit:
            return name
        return f"{name} ({unit})" if lang == "en" else f"{name}（{unit}）"


def _c(key, zh, en, unit=Unit.COUNT) -> Column:
    return Column(key, zh, en, unit)


MONTH = _c("month", "月份", "Month", Unit.TEXT)
MODEL = _c("model", "产品型号", "Product model", Unit.TEXT)
REGION = _c("region", "大区", "Region", Unit.TEXT)
OUTLET = _c("outlet", "网点", "Outlet", Unit.TEXT)
TYPE = _c("type", "服务类型", "Service type", Unit.TEXT)
TECHNICIAN = _c("technician", "技术员", "Technician", Unit.TEXT)
AGENT = _c("agent", "受理坐席", "Agent", Unit.TEXT)

DIMENSION_COLUMNS: dict[Dimension, Column] = {
    Dimension.MODEL: MODEL, Dimension.REGION: REGION, Dimension.OUTLET: OUTLET, Dimension.TYPE: TYPE,
    Dimension.TECHNICIAN: TECHNICIAN, Dimension.AGENT: AGENT}
# The period column of an analysis, titled by its grain (key "period" whatever the grain).
GRAIN_COLUMNS: dict[Grain, Column] = {
    Grain.MONTH: _c("period", "月份", "Month", Unit.TEXT), Grain.WEEK: _c("period", "周", "Week", Unit.TEXT),
    Grain.DAY: _c("period", "日期", "Day", Unit.TEXT)}
GRAIN_LABELS: dict[Grain, tuple[str, str]] = {
    Grain.MONTH: ("按月", "By month"), Grain.WEEK: ("按周", "By week"), Grain.DAY: ("按日", "By day"),
    Grain.NONE: ("不分期间", "Whole range")}
# A row whose dimension is not set (an order no technician took, an outlet's own order).
NOT_SET = ("（未指定）", "(not set)")

# What an analysis measures, each from the roll-ups' sums (hub/services/report_analysis.py).
ANALYSIS_MEASURES: tuple[Column, ...] = (
    _c("orders", "工单数", "Orders"), _c("completed", "完工数", "Completed"),
    _c("complaint_rate", "投诉率", "Complaint rate", Unit.PCT),
    _c("unsatisfied_rate", "不满意率", "Unsatisfied rate", Unit.PCT),
    _c("avg_score", "平均回访评分", "Average callback score", Unit.SCORE),
    _c("ftf_rate", "一次修复率", "First-time fix rate", Unit.PCT),
    _c("repeats", "30天内返修", "Repeat repairs (30 days)"),
    _c("repeat_rate", "返修率", "Repeat repair rate", Unit.PCT),
    _c("compliance", "时效达标率", "SLA compliance", Unit.PCT),
    _c("avg_hours", "平均处理时长", "Average handling time", Unit.HOURS))
MEASURE_KEYS = tuple(c.key for c in ANALYSIS_MEASURES)
_M = {c.key: c for c in ANALYSIS_MEASURES}
# The people reports: the measures a technician's or an agent's work is judged by.
PEOPLE_MEASURES = tuple(_M[k] for k in ("orders", "completed", "ftf_rate", "repeats", "repeat_rate", "avg_score",
                                        "unsatisfied_rate", "complaint_rate", "avg_hours"))

COLUMNS: dict[Report, tuple[Column, ...]] = {
    Report.ORDERS_COMPLAINTS: (
        MODEL, REGION, MONTH, _c("orders", "工单数", "Orders"),
        _c("complained", "被投诉工单", "Orders complained about"),
        _c("complaint_rate", "投诉率", "Complaint rate", Unit.PCT),
        _c("unsatisfied", "回访不满意", "Unsatisfied callbacks"),
        _c("unsatisfied_rate", "不满意率", "Unsatisfied rate", Unit.PCT)),
    Report.FAILURE_RATE: (
        MODEL, _c("orders", "工单数", "Orders"),
        _c("with_parts", "更换配件工单", "Orders with a part replaced"),
        _c("failure_rate", "故障率", "Failure rate", Unit.PCT),
        _c("parts_qty", "配件数量", "Parts used (pcs)")),
    Report.PART_CONSUMPTION: (
        _c("part", "配件", "Part", Unit.TEXT), _c("sku", "编码", "SKU", Unit.TEXT), MODEL,
        _c("qty", "用量", "Quantity (pcs)"), _c("orders", "涉及工单", "Orders"),
        _c("amount", "金额", "Amount", Unit.YUAN)),
    Report.SATISFACTION: (
        OUTLET, REGION, _c("callbacks", "回访数", "Callbacks"),
        _c("satisfied", "满意", "Satisfied"), _c("unsatisfied", "不满意", "Unsatisfied"),
        _c("unreachable", "未接通", "Unreachable"),
        _c("satisfaction_rate", "满意率", "Satisfaction rate", Unit.PCT),
        _c("avg_score", "平均评分", "Average score", Unit.SCORE)),
    Report.SLA: (
        OUTLET, MONTH, _c("due", "到期节点", "Milestones due"), _c("met", "按时达成", "Met on time"),
        _c("compliance", "达标率", "Compliance", Unit.PCT),
        _c("accept_rate", "接单及时率", "Accepted on time", Unit.PCT),
        _c("on_site_rate", "上门及时率", "On site on time", Unit.PCT),
        _c("complete_rate", "完工及时率", "Completed on time", Unit.PCT)),
    Report.SCORECARD: (
        OUTLET, REGION, _c("orders", "工单数", "Orders"), _c("completed", "完工数", "Completed"),
        _c("on_time_rate", "及时完工率", "On-time rate", Unit.PCT),
        _c("ftf_rate", "一次修复率", "First-time fix rate", Unit.PCT),
        _c("repeats", "30天内返修", "Repeat repairs (30 days)"),
        _c("repeat_rate", "返修率", "Repeat repair rate", Unit.PCT),
        _c("complaint_rate", "投诉率", "Complaint rate", Unit.PCT)),
    Report.SETTLEMENTS: (
        OUTLET, _c("period", "结算期间", "Period", Unit.TEXT),
        _c("submitted", "待审批单数", "Awaiting approval"),
        _c("submitted_total", "待审批金额", "Awaiting approval", Unit.YUAN),
        _c("approved", "已批准单数", "Approved"),
        _c("approved_total", "已批准金额", "Approved", Unit.YUAN)),
    Report.TECHNICIANS: (TECHNICIAN, OUTLET, *PEOPLE_MEASURES),
    Report.AGENTS: (AGENT, *PEOPLE_MEASURES),
    Report.ANALYSIS: (MODEL, REGION, GRAIN_COLUMNS[Grain.MONTH], *ANALYSIS_MEASURES),  # as by default
}

TITLES: dict[Report, tuple[str, str]] = {
    Report.ORDERS_COMPLAINTS: ("工单量与投诉率（型号×大区×月）", "Orders and complaint rate (model × region × month)"),
    Report.FAILURE_RATE: ("型号故障率", "Failure rate by model"),
    Report.PART_CONSUMPTION: ("配件消耗", "Part consumption"),
    Report.SATISFACTION: ("网点满意度", "Satisfaction by outlet"),
    Report.SLA: ("时效达标率", "SLA compliance"),
    Report.SCORECARD: ("网点考核", "Outlet scorecard"),
    Report.SETTLEMENTS: ("结算汇总", "Settlement totals"),
    Report.TECHNICIANS: ("技术员绩效", "Technician performance"),
    Report.AGENTS: ("坐席绩效", "Agent performance"),
    Report.ANALYSIS: ("自定义分析", "Analysis"),
}


def title(report: str, lang: str = "zh") -> str:
    zh, en = TITLES[Report(report)]
    return en if lang == "en" else zh


def rate(part: int | None, whole: int | None) -> float | None:
    """A percentage with one decimal; None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100.0 * (part or 0) / whole, 1)


def analysis_columns(dims: tuple[str, ...], grain: str) -> tuple[Column, ...]:
    """An analysis's columns: its dimensions, its period (unless Grain.NONE), the measures."""
    period = GRAIN_COLUMNS.get(Grain(grain))
    return (*(DIMENSION_COLUMNS[Dimension(d)] for d in dims), *((period,) if period else ()), *ANALYSIS_MEASURES)


def week_monday(day: int) -> int:
    """The Monday of a local day's week, both as days since 1970-01-01 (a Thursday)."""
    return day - ((day + 3) % 7)


@lru_cache(maxsize=4096)
def day_text(day: int) -> str:
    """A local day number as "2026-04-10"."""
    return (date(1970, 1, 1) + timedelta(days=day)).isoformat()


@lru_cache(maxsize=4096)
def week_text(day: int) -> str:
    """The ISO week of a local day number, as "2026-W15"."""
    year, week, _ = (date(1970, 1, 1) + timedelta(days=week_monday(day))).isocalendar()
    return f"{year}-W{week:02d}"


def grain_label(grain: str, lang: str = "zh") -> str:
    zh, en = GRAIN_LABELS[Grain(grain)]
    return en if lang == "en" else zh


def dimension_label(dim: str, lang: str = "zh") -> str:
    return DIMENSION_COLUMNS[Dimension(dim)].title(lang)


def measure_column(key: str) -> Column:
    return _M[key]
