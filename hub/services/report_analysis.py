"""The analysis and the people reports: measures (shared/reports.py ANALYSIS_MEASURES) by up
to two dimensions chosen by the user (model, region, outlet, service type, technician, agent)
and a period grain (month, ISO week, day, none).

Each question is answered from the coarsest table that holds what it needs — the roll-ups
by region × model × month, by outlet × month, by outlet × model × month, by technician ×
month, by agent × month, by outlet × service type × week (hub/services/rollups.py), a few
thousand rows whatever the number of orders — and only what no roll-up holds (a model by
week, a day, a technician within a region) from the orders' facts themselves
(`hq_rollup_facts`, one row per order, indexed by month). The SQL groups by ids; names are
joined here from the small reference tables, so one query serves both stores."""
from dataclasses import dataclass

from shared.labels import label
from shared.reports import NOT_SET, Dimension, Grain, day_text, rate, week_text

# The sums every measure is computed from (columns of every roll-up and of the facts).
SUMS = ("orders", "completed", "complained", "satisfied", "unsatisfied", "scored", "score_sum", "ftf",
        "repairs", "repeats", "sla_due", "sla_met", "handled", "handle_ms")
HOUR_MS = 3_600_000


@dataclass(frozen=True)
class Source:
    name: str
    table: str                            # aliased r (and o: the outlet, when joined)
    dims: frozenset[Dimension]
    region: str | None                    # the region's expression; None: cannot filter by region
    outlet: bool                          # can filter by outlet
    grains: frozenset[Grain]
    week: str = "r.day - ((r.day + 3) % 7)"   # the week's Monday (local days since 1970-01-01)


_MONTHLY = frozenset({Grain.MONTH, Grain.NONE})
_OUTLET = "LEFT JOIN outlets o ON o.id = r.outlet_id"
# Coarsest first: the first that can answer is read.
SOURCES = (
    Source("region_month", "hq_rollup_region_month r", frozenset({Dimension.MODEL, Dimension.REGION}),
           "r.region", False, _MONTHLY),
    Source("outlet_month", f"hq_rollup_outlet_month r {_OUTLET}", frozenset({Dimension.OUTLET, Dimension.REGION}),
           "COALESCE(o.region, '')", True, _MONTHLY),
    Source("orders_month", f"hq_rollup_orders_month r {_OUTLET}",
           frozenset({Dimension.MODEL, Dimension.OUTLET, Dimension.REGION}), "COALESCE(o.region, '')", True, _MONTHLY),
    Source("tech_month", "hq_rollup_tech_month r", frozenset({Dimension.TECHNICIAN}), None, False, _MONTHLY),
    Source("agent_month", "hq_rollup_agent_month r", frozenset({Dimension.AGENT}), None, False, _MONTHLY),
    Source("type_week", f"hq_rollup_type_week r {_OUTLET}",
           frozenset({Dimension.OUTLET, Dimension.REGION, Dimension.TYPE}), "COALESCE(o.region, '')", True,
           frozenset({Grain.WEEK, Grain.MONTH, Grain.NONE}), week="r.week"),
    Source("facts", f"hq_rollup_facts r {_OUTLET}", frozenset(Dimension), "COALESCE(o.region, '')", True,
           frozenset(Grain)),
)

_COLUMN = {Dimension.MODEL: "r.model_id", Dimension.OUTLET: "r.outlet_id", Dimension.TYPE: "r.type",
           Dimension.TECHNICIAN: "r.technician_id", Dimension.AGENT: "r.agent_id"}


def source_for(dims: tuple[Dimension, ...], grain: Grain, *, region: bool, outlet: bool) -> Source:
    """The coarsest source that can group by `dims` at `grain` under the filters given."""
    for s in SOURCES:
        if (set(dims) <= s.dims and grain in s.grains and (not region or s.region)
                and (not outlet or s.outlet)):
            return s
    raise AssertionError("the facts answer every question")  # pragma: no cover


def measures(sums: dict) -> dict:
    """The analysis measures from one group's sums."""
    s = {k: v if type(v) is int else int(v or 0) for k, v in sums.items()}  # PostgreSQL's SUM is a numeric
    return {"orders": s["orders"], "completed": s["completed"],
            "complaint_rate": rate(s["complained"], s["orders"]),
            "unsatisfied_rate": rate(s["unsatisfied"], s["satisfied"] + s["unsatisfied"]),
            "avg_score": round(s["score_sum"] / s["scored"], 1) if s["scored"] else None,
            "ftf_rate": rate(s["ftf"], s["completed"]),
            "repeats": s["repeats"], "repeat_rate": rate(s["repeats"], s["repairs"]),
            "compliance": rate(s["sla_met"], s["sla_due"]),
            "avg_hours": round(s["handle_ms"] / s["handled"] / HOUR_MS, 1) if s["handled"] else None}


@dataclass
class Group:
    """One row of an analysis before its measures: its dimension values (ids), its period
    and its sums (kept so a chart can add groups up and compute rates over the total)."""
    keys: dict
    period: str
    sums: dict


def grouped(ctx, dims: tuple[Dimension, ...], grain: Grain, *, month_from=None, month_to=None, region=None,
            outlet_id=None, set_only: Dimension | None = None) -> tuple[Source, list[Group]]:
    """The groups of an analysis, from the coarsest source. `set_only`: leave out the rows
    whose value of that dimension is not set (the people reports)."""
    src = source_for(dims, grain, region=bool(region), outlet=bool(outlet_id))
    exprs = [(_dimension_sql(src, d)) for d in dims]
    period = {Grain.MONTH: "r.month", Grain.DAY: "r.day", Grain.WEEK: src.week}.get(grain)
    where, params = ["r.month != ''"], []
    for cond, value in (("r.month >= ?", month_from), ("r.month <= ?", month_to),
                        (f"{src.region} = ?", region), ("r.outlet_id = ?", outlet_id)):
        if value:
            where.append(cond)
            params.append(value)
    if set_only is not None:
        where.append(f"COALESCE({_dimension_sql(src, set_only)}, '') != ''")
    if grain == Grain.DAY or grain == Grain.WEEK and src.name == "facts":
        where.append("r.day IS NOT NULL")
    keys = [*(f"{e} AS d{i}" for i, e in enumerate(exprs)), *((f"{period} AS p",) if period else ())]
    n = len(keys)
    sql = (f"SELECT {', '.join([*keys, *(f'SUM(r.{m}) AS {m}' for m in SUMS)])} FROM {src.table} "
           f"WHERE {' AND '.join(where)}" + (f" GROUP BY {', '.join(str(i + 1) for i in range(n))}" if n else ""))
    out = []
    for row in ctx.query(sql, params):
        if not n and not row["orders"]:
            continue  # no group at all: SUM over no rows
        p = row.get("p")
        shown = "" if p is None else day_text(int(p)) if grain == Grain.DAY else (
            week_text(int(p)) if grain == Grain.WEEK else str(p))
        out.append(Group({d: row[f"d{i}"] or "" for i, d in enumerate(dims)}, shown,
                         {k: row[k] for k in SUMS}))
    return src, out


def _dimension_sql(src: Source, d: Dimension) -> str:
    return src.region if d == Dimension.REGION else _COLUMN[d]  # type: ignore[return-value]


class Names:
    """Names of the ids an analysis groups by, in the reader's language."""

    def __init__(self, ctx, lang: str):
        self.lang = lang
        self.models = {r["id"]: f"{r['code']} {r['name']}" for r in ctx.query(
            "SELECT id, code, name FROM product_models")}
        self.outlets = {r["id"]: f"{r['code']} {r['name']}" for r in ctx.query("SELECT id, code, name FROM outlets")}
        users = ctx.query("SELECT id, display_name, username, outlet_id FROM users")
        self.users = {r["id"]: r["display_name"] or r["username"] or r["id"] for r in users}
        self.user_outlet = {r["id"]: r["outlet_id"] for r in users}
        self.none = NOT_SET[1] if lang == "en" else NOT_SET[0]

    def of(self, d: Dimension, value: str) -> str:
        if not value:
            return self.none
        if d == Dimension.MODEL:
            return self.models.get(value, value)
        if d == Dimension.OUTLET:
            return self.outlets.get(value, value)
        if d == Dimension.TYPE:
            return label("order_type", value, self.lang)
        if d in (Dimension.TECHNICIAN, Dimension.AGENT):
            return self.users.get(value, value)
        return value

    def outlet_of_user(self, user_id: str) -> str:
        outlet = self.user_outlet.get(user_id)
        return self.outlets.get(outlet, outlet or "") if outlet else ""


def rows_of(groups: list[Group], dims: tuple[Dimension, ...], names: Names) -> list[dict]:
    """The rows as a report shows them: dimension names, the period, the measures; ordered by
    period, then the names."""
    out = []
    for g in groups:
        row = {str(d): names.of(d, g.keys[d]) for d in dims}
        if g.period:
            row["period"] = g.period
        row.update(measures(g.sums))
        out.append(row)
    out.sort(key=lambda r: (r.get("period", ""), *(r[str(d)] for d in dims)))
    return out


def totals(groups: list[Group], key) -> dict[str, dict]:
    """The groups' sums added up by `key(group)` → the measures of each total, in key order."""
    acc: dict[str, dict] = {}
    for g in groups:
        k = key(g)
        into = acc.setdefault(k, dict.fromkeys(SUMS, 0))
        for m in SUMS:
            into[m] += int(g.sums[m] or 0)
    return {k: measures(acc[k]) for k in sorted(acc)}
