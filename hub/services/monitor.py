"""The SLA monitoring board (流程监控) and its escalation job. The board counts orders by
region × outlet × status and shows every open order's SLA position: its running milestone
(shared/sla.py, clocked on the device times `at` of the outlets' order events, paused while
waiting for parts) and the share of its time used, at level 50 / 75 / 100 (overdue,
shared/escalation.py). The job (`escalation_job`) tells the outlet's manager at 75 % (a
`notices` row in the outlet's bucket) and HQ at 100 % (a record on the board), each once per
(order, milestone, level) in the hub-only `hq_escalations`."""
import uuid
from dataclasses import dataclass

from shared import escalation as esc
from shared import notices, sla
from shared.errors import ServiceError
from shared.labels import label
from shared.orders import OPEN, OUTLET, Status
from shared.roles import HqWork

from hub.services.choices import OutletChoice, outlet_choices, regions_of
from shared.choices import Choice
from hub.services.hq_settings import HqSettings
from hub.services.session import HubSession

DDL = (
    """CREATE TABLE IF NOT EXISTS hq_escalations (id TEXT PRIMARY KEY, order_id TEXT NOT NULL,
        outlet_id TEXT, milestone TEXT NOT NULL, level INTEGER NOT NULL, pct INTEGER NOT NULL,
        due_at INTEGER, at INTEGER NOT NULL, notice_id TEXT, UNIQUE (order_id, milestone, level))""",
    "CREATE INDEX IF NOT EXISTS ix_hq_escalations_level ON hq_escalations (level, at)",
    # the orders whose clocks need their events, found once per board (`Monitor.ranked`)
    "CREATE INDEX IF NOT EXISTS ix_hq_events_status ON order_events (to_status, order_id)",
)  # open orders are found by status through callbacks.py's ix_hq_orders_status
NS = uuid.UUID("5e7d0a8c-2b4f-4c61-9e3a-7d1f0b2c3e45")
OPEN_STATUSES = tuple(sorted(str(s) for s in OPEN))
# The order the board's columns list statuses in (the life of an order).
STATUS_ORDER = tuple(str(s) for s in (Status.NEW, Status.ACCEPTED, Status.SCHEDULED, Status.EN_ROUTE,
                                      Status.ON_SITE, Status.WAITING_PARTS, Status.COMPLETED, Status.CLOSED,
                                      Status.DECLINED, Status.CANCELLED))


@dataclass(frozen=True)
class SlaPosition:
    order_id: str
    number: str
    outlet_id: str | None
    outlet_name: str
    region: str
    status: str
    type: str
    priority: str
    milestone: str | None     # the running milestone (None: no policy or no clock running)
    budget_min: int
    due_at: int | None        # None while paused
    remaining_ms: int | None  # negative when overdue
    pct: int                  # share of the milestone's time used
    level: int                # 0, 50, 75, 100 (shared/escalation.py)
    paused: bool

    @property
    def overdue(self) -> bool:
        return self.level >= esc.HQ_LEVEL


@dataclass(frozen=True, slots=True)
class MonitorFilters:
    regions: tuple[str, ...]
    outlets: tuple[OutletChoice, ...]

    def outlets_in(self, region: str | None) -> tuple[OutletChoice, ...]:
        """The outlets the outlet filter offers once a region is picked (None: all)."""
        return tuple(o for o in self.outlets if region is None or o.region == region)


@dataclass(frozen=True, slots=True)
class OutletCounts:
    """One row of the count grid: an outlet's orders by the grid's status columns."""
    region: str
    outlet_id: str | None
    outlet_name: str
    counts: tuple[int, ...]   # aligned with CountGrid.statuses (0: none)
    total: int


@dataclass(frozen=True, slots=True)
class CountGrid:
    """Orders counted by region × outlet × status, as the board lays them out: a column
    per status that occurs (in the life of an order), a row per outlet, the totals."""
    statuses: tuple[Choice, ...]
    rows: tuple[OutletCounts, ...]
    totals: tuple[int, ...]
    total: int


@dataclass(frozen=True, slots=True)
class Escalation:
    """An order HQ was told of (level 100) and still open."""
    order_id: str
    number: str
    outlet_name: str
    region: str
    milestone: str
    milestone_label: str
    due_at: int | None
    at: int


@dataclass(frozen=True, slots=True)
class Board:
    counts: CountGrid
    statuses: tuple[Choice, ...]       # the status filter's entries
    positions: list[SlaPosition]       # most urgent first
    levels: dict[int, int]             # open orders at each level
    open_total: int
    escalations: tuple[Escalation, ...]


def count_grid(counts: list[dict], lang: str) -> CountGrid:
    """The pivot of (outlet, status, n) rows into the board's grid."""
    statuses = [s for s in STATUS_ORDER if any(c["status"] == s for c in counts)]
    outlets: dict[str, dict] = {}
    for c in counts:
        o = outlets.setdefault(c["outlet_id"] or "", {"region": c["region"] or "", "id": c["outlet_id"],
                                                      "name": c["outlet_name"] or "—", "n": {}})
        o["n"][c["status"]] = c["n"]
    rows = tuple(OutletCounts(o["region"], o["id"], o["name"], tuple(o["n"].get(s, 0) for s in statuses),
                              sum(o["n"].values())) for o in outlets.values())
    return CountGrid(tuple(Choice(s, label("status", s, lang)) for s in statuses), rows,
                     tuple(sum(r.counts[i] for r in rows) for i in range(len(statuses))),
                     sum(r.total for r in rows))


def escalation_id(order_id: str, milestone: str, level: int) -> str:
    return str(uuid.uuid5(NS, f"{order_id}:{milestone}:{level}"))


class Monitor:
    def __init__(self, ctx):
        self.ctx = ctx

    # ---- the board ----

    def board(self, session: HubSession, *, region: str | None = None, outlet_id: str | None = None,
              status: str | None = None, min_level: int = 0, limit: int = 300) -> Board:
        """Counts by region × outlet × status; the open orders' SLA positions, most urgent
        first (at most `limit`, at least `min_level`); how many open orders are at each
        level; HQ's open escalations. Labels in the session's language."""
        self.ctx.allow(session, HqWork.MONITOR)
        if status and status not in STATUS_ORDER:
            raise ServiceError.of("bad_choice", what=("状态", "status"))
        if min_level not in (0, *esc.LEVELS):
            raise ServiceError.of("bad_choice", what=("预警级别", "warning level"))
        shown, levels = self.ranked(region=region, outlet_id=outlet_id, status=status, min_level=min_level,
                                    limit=limit)
        lang = session.lang
        return Board(count_grid(self._counts(region=region, outlet_id=outlet_id, status=status), lang),
                     tuple(Choice(s, label("status", s, lang)) for s in STATUS_ORDER), shown, levels,
                     sum(levels.values()), self.escalations(lang, region=region, outlet_id=outlet_id))

    def filters(self, session: HubSession) -> MonitorFilters:
        """Regions and outlets to filter by."""
        self.ctx.allow(session, HqWork.MONITOR)
        outlets = outlet_choices(self.ctx, active_only=True)
        return MonitorFilters(regions_of(outlets), outlets)

    def _counts(self, *, region=None, outlet_id=None, status=None) -> list[dict]:
        where, params = self._where(region, outlet_id)
        if status:
            where.append("o.status = ?")
            params.append(status)
        return self.ctx.query(
            "SELECT ou.region, o.outlet_id, ou.code AS outlet_code, ou.name AS outlet_name, o.status, "
            "COUNT(*) AS n FROM service_orders o LEFT JOIN outlets ou ON ou.id = o.outlet_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " GROUP BY o.outlet_id, o.status, ou.region, ou.code, ou.name ORDER BY ou.region, ou.code", params)

    def ranked(self, *, region=None, outlet_id=None, status=None, min_level: int = 0,
               limit: int | None = None) -> tuple[list[SlaPosition], dict[int, int]]:
        """(the open orders' positions at `min_level` or above, most urgent first, at most
        `limit`; how many open orders are at each level). Orders that waited for parts or
        were declined or cancelled get their full clocks from their events here; the
        others' clocks follow from type, priority and status alone, so SQL levels, counts
        and ranks them (shared/sla.py running_case_sql) and only the rows shown are built."""
        ctx, now = self.ctx, self.ctx.now()
        where, params = self._where(region, outlet_id)
        statuses = [s for s in ([status] if status else OPEN_STATUSES) if s in OPEN_STATUSES]
        levels = {lv: 0 for lv in (0, *esc.LEVELS)}
        if not statuses:
            return [], levels
        where.append(f"o.status IN ({', '.join('?' for _ in statuses)})")
        params += statuses
        policies = [{**p, "active": p.get("active") != 0} for p in ctx.query("SELECT * FROM sla_policies")]
        eventful = ("o.id IN (SELECT order_id FROM order_events WHERE to_status IN "
                    f"({', '.join(repr(x) for x in sla.CLOCK_EVENTS)}))")  # one list per statement, not per order
        cols = ("o.id, o.number, o.outlet_id, o.status, o.type, o.priority, o.created_at, o.source, "
                "ou.name AS outlet_name, ou.region")
        source = f"FROM service_orders o LEFT JOIN outlets ou ON ou.id = o.outlet_id WHERE {' AND '.join(where)}"
        out = [self._clocked(o, policies, events, now) for o, events in self._with_events(
            ctx.query(f"SELECT {cols} {source} AND {eventful}", params))]
        for p in out:
            levels[p.level] += 1
        out = [p for p in out if p.level >= min_level]

        due, due_args = sla.running_case_sql(policies, OPEN_STATUSES, "o.status", "due")
        budget, budget_args = sla.running_case_sql(policies, OPEN_STATUSES, "o.status", "budget")
        name, name_args = sla.running_case_sql(policies, OPEN_STATUSES, "o.status", "milestone")
        used = f"((MAX(1, budget * 60000) - (due - {int(now)})) * 100)"  # esc.used_pct, floored like Python's //
        pct = (f"CASE WHEN due IS NULL OR budget IS NULL THEN 0 WHEN {used} >= 0 THEN {used} / MAX(1, budget * 60000) "
               f"ELSE -((-{used} + MAX(1, budget * 60000) - 1) / MAX(1, budget * 60000)) END")
        level = "CASE " + " ".join(f"WHEN milestone IS NOT NULL AND pct >= {lv} THEN {lv}"
                                   for lv in reversed(esc.LEVELS)) + " ELSE 0 END"
        # Each CASE once per order (MATERIALIZED: SQLite would otherwise copy `due` and
        # `budget` into every use of `pct` and `level`), then the cheap arithmetic.
        # (no clock at all without a creation time, as sla.running_due says)
        clocks = (f"WITH c AS MATERIALIZED (SELECT {cols}, o.created_at + {due} AS due, "
                  f"CASE WHEN o.created_at IS NOT NULL THEN {budget} END AS budget, "
                  f"CASE WHEN o.created_at IS NOT NULL THEN {name} END AS milestone {source} AND NOT {eventful}), "
                  f"p AS MATERIALIZED (SELECT *, {pct} AS pct FROM c), "
                  f"l AS (SELECT *, {level} AS level FROM p) ")
        args = [*due_args, *budget_args, *name_args, *params]  # in the order their ? stand in `clocks`
        for r in ctx.query(f"{clocks} SELECT level, COUNT(*) AS n FROM l GROUP BY level", args):
            levels[r["level"]] += r["n"]
        rows = ctx.query(f"{clocks} SELECT * FROM l WHERE level >= {int(min_level)} ORDER BY level DESC, pct DESC, "
                         f"number" + ("" if limit is None else f" LIMIT {int(limit)}"), args)
        out += [SlaPosition(o["id"], o["number"] or "", o["outlet_id"], o["outlet_name"] or "", o["region"] or "",
                            o["status"], o["type"] or "", o["priority"] or "", o["milestone"], o["budget"] or 0,
                            o["due"], None if o["due"] is None else o["due"] - now, o["pct"], o["level"], False)
                for o in rows]
        out.sort(key=lambda p: (-p.level, -p.pct, p.number))
        return (out if limit is None else out[:limit]), levels

    def _with_events(self, orders: list[dict]):
        events = self._events([o["id"] for o in orders])
        return [(o, events.get(o["id"], [])) for o in orders]

    @staticmethod
    def _clocked(o: dict, policies: list[dict], events, now: int) -> SlaPosition:
        """The position from the order's full clock (its events: pauses, a stop)."""
        clock = sla.sla_clock(created_at=o["created_at"], policy=sla.policy_for(policies, o["type"], o["priority"]),
                              status=o["status"], events=events, now=now, accepted_at_creation=o["source"] == OUTLET)
        m = clock.next if clock else None
        name, budget, due, remaining = (m.name, m.budget_min, m.due_at, m.remaining_ms) if m else (None, 0, None, None)
        pct = esc.used_pct(budget, remaining) if name and remaining is not None else 0
        return SlaPosition(o["id"], o["number"] or "", o["outlet_id"], o["outlet_name"] or "", o["region"] or "",
                           o["status"], o["type"] or "", o["priority"] or "", name, budget, due, remaining, pct,
                           esc.level_of(pct) if name else 0, bool(clock and clock.paused))

    def escalations(self, lang: str, *, region=None, outlet_id=None, limit: int = 50) -> tuple[Escalation, ...]:
        """HQ's escalations (level 100) of orders still open, newest first."""
        where, params = self._where(region, outlet_id)
        where += ["e.level = ?", f"o.status IN ({', '.join('?' for _ in OPEN_STATUSES)})"]
        params += [esc.HQ_LEVEL, *OPEN_STATUSES]
        return tuple(Escalation(e["order_id"], e["number"] or "", e["outlet_name"] or "", e["region"] or "",
                                e["milestone"], label("milestone", e["milestone"], lang), e["due_at"], e["at"])
                     for e in self.ctx.query(
            "SELECT e.order_id, e.milestone, e.due_at, e.at, o.number, ou.name AS outlet_name, ou.region "
            "FROM hq_escalations e JOIN service_orders o ON o.id = e.order_id "
            "LEFT JOIN outlets ou ON ou.id = o.outlet_id "
            "WHERE " + " AND ".join(where) + " ORDER BY e.at DESC, o.number LIMIT ?", [*params, limit]))

    @staticmethod
    def _where(region, outlet_id) -> tuple[list[str], list]:
        where, params = [], []
        if region:
            where.append("ou.region = ?")
            params.append(region)
        if outlet_id:
            where.append("o.outlet_id = ?")
            params.append(outlet_id)
        return where, params

    def _events(self, order_ids: list[str]) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list] = {}
        for i in range(0, len(order_ids), 500):
            chunk = order_ids[i:i + 500]
            for r in self.ctx.query(f"SELECT order_id, to_status, at FROM order_events WHERE order_id IN "
                                    f"({', '.join('?' for _ in chunk)})", chunk):
                out.setdefault(r["order_id"], []).append((r["to_status"], r["at"]))
        return out

    # ---- the escalation job ----

    def _technicians(self, order_ids: list[str]) -> dict[str, str]:
        """Who works each of these orders (those with a technician)."""
        out: dict[str, str] = {}
        for i in range(0, len(order_ids), 500):
            chunk = order_ids[i:i + 500]
            for r in self.ctx.query(f"SELECT id, technician_id FROM service_orders WHERE id IN "
                                    f"({', '.join('?' for _ in chunk)}) AND technician_id IS NOT NULL", chunk):
                out[r["id"]] = r["technician_id"]
        return out

    def escalate(self) -> dict:
        """Record each (order, milestone, level) reached once: HQ's warning level (75 % unless
        set otherwise on the settings screen, hub/services/hq_settings.py) → a notice to the
        outlet's manager, 100 % → HQ's record on the board. Returns counts (keyed by
        shared/escalation.py's MANAGER_LEVEL for the warnings and HQ_LEVEL)."""
        ctx = self.ctx
        now = ctx.now()
        warn = HqSettings(ctx).value("sla_warning_level")
        sent = {esc.MANAGER_LEVEL: 0, esc.HQ_LEVEL: 0}
        due = [p for p in self.ranked(min_level=warn)[0] if p.milestone]
        if not due:
            return sent
        with ctx.tx():
            done = {(r["order_id"], r["milestone"], r["level"]) for r in ctx.query(
                f"SELECT order_id, milestone, level FROM hq_escalations WHERE order_id IN "
                f"(SELECT id FROM service_orders WHERE status IN ({', '.join('?' for _ in OPEN_STATUSES)}))",
                OPEN_STATUSES)}
            ops = []
            technicians = self._technicians([p.order_id for p in due])
            for p in due:
                for level in (warn, esc.HQ_LEVEL):
                    if p.level < level or (p.order_id, p.milestone, level) in done:
                        continue
                    eid = escalation_id(p.order_id, p.milestone, level)
                    notice_id = None
                    if level == warn and p.outlet_id:
                        notice_id, detail = eid, warning_detail(p)
                        ops.append({"op": "add", "table": "notices", "id": notice_id, "fields": {
                            "outlet_id": p.outlet_id, "kind": esc.NOTICE_KIND, "code": esc.NOTICE_KIND,
                            "message": notices.render(detail, "zh"), "detail": detail,
                            "table_name": "service_orders", "row_id": p.order_id, "at": now,
                            # the order's technician hears of it too, on their devices
                            "technician_id": technicians.get(p.order_id)}})
                    ctx.insert("hq_escalations", {
                        "id": eid, "order_id": p.order_id, "outlet_id": p.outlet_id, "milestone": p.milestone,
                        "level": level, "pct": p.pct, "due_at": p.due_at, "at": now, "notice_id": notice_id})
                    sent[esc.HQ_LEVEL if level == esc.HQ_LEVEL else esc.MANAGER_LEVEL] += 1
            if ops:
                ctx.write(None, ops)
            if any(sent.values()):
                ctx.audit(None, "sla_escalation", detail=f"manager {sent[esc.MANAGER_LEVEL]}, hq {sent[esc.HQ_LEVEL]}")
        return sent


def warning_detail(p: SlaPosition) -> dict:
    """The manager's notice (shared/notices.py): which order, which milestone, how much
    time is left or how late it is; each device words it in its user's language."""
    if p.remaining_ms is not None and p.remaining_ms < 0:
        return notices.detail("sla_overdue", number=p.number, milestone=p.milestone, late_ms=-p.remaining_ms)
    if p.due_at:
        return notices.detail("sla_used", number=p.number, milestone=p.milestone, pct=p.pct, due_at=p.due_at)
    return notices.detail("sla_used_paused", number=p.number, milestone=p.milestone, pct=p.pct)


def escalation_job(services) -> dict:
    """The scheduled job (hub/jobs.py JOBS)."""
    return services.monitor.escalate()
