"""HQ's view of the network's sync health (网点同步状态): for every active outlet PC and
technician device, when it last reached HQ, the changes it reported not yet sent, the ops
HQ refused from it in the last day, its release (flagged when behind HQ's), the clock
drift HQ saw and its open fork alerts — sorted by risk (longest without a sync first),
filterable by region, exportable as CSV.

A node silent for more than FIELDSYNC_SILENT_HOURS (default 24) is work at risk of loss if
the PC or tablet dies: `notify_silent` (a scheduled job, hub/jobs.py) raises one notice
per silence — a `notices` row in the outlet's bucket, which the outlet's manager reads on
the outlet's PC, and which this screen lists for HQ. A silence is named by the node and
its last contact, so the job raises it once, and again only after the node came back and
fell silent anew. Everything here reads the nodes table that hello and push keep
(sync/hub_handlers.py), never a write per hello."""
import csv
import io
import os
import uuid
from dataclasses import dataclass

from shared import notices
from shared.roles import HqWork

from hub.services.admin_nodes import behind
from hub.services.choices import outlet_choices, regions_of
from hub.services.session import HubSession

SILENT_HOURS_ENV = "FIELDSYNC_SILENT_HOURS"
DEFAULT_SILENT_HOURS = 24
NOTICE_KIND = "device_silent"
DAY_MS = 24 * 3600 * 1000
HOUR_MS = 3600 * 1000
NS = uuid.UUID("8b1f6c3e-4d2a-4f7e-9c5b-2a6e1d7f0c94")
NOTICES_SHOWN_DAYS = 7


def silent_hours() -> int:
    """FIELDSYNC_SILENT_HOURS: hours without a sync after which a node is flagged and
    noticed (a whole number ≥ 1; anything else is the default)."""
    raw = os.environ.get(SILENT_HOURS_ENV, "")
    return int(raw) if raw.isdigit() and int(raw) >= 1 else DEFAULT_SILENT_HOURS


@dataclass(frozen=True, slots=True)
class NodeHealth:
    """One outlet PC or technician device as the screen lists it."""
    node_id: str
    name: str                   # its name, else its id
    kind: str                   # outlet | device
    technician: str             # the device's technician (display name), "" for an outlet PC
    outlet_id: str
    outlet_code: str
    outlet_name: str
    region: str
    last_sync_at: int | None    # its last contact with HQ (hello or push); None: never since enrollment
    silent_ms: int              # since then (since enrollment when never)
    silent: bool                # longer than the configured hours
    pending: int | None         # unsynced changes it reported at its last hello (None: never said)
    refused_day: int            # ops HQ refused from it in the last 24 h
    app_version: str
    schema: int | None
    behind: bool                # older release than HQ's
    clock_drift_ms: int | None  # HQ's time − its clock at its last hello
    open_forks: int


@dataclass(frozen=True, slots=True)
class SilenceNotice:
    id: str
    node_id: str
    outlet_code: str
    message: str                # in the session's language
    at: int


@dataclass(frozen=True, slots=True)
class SyncHealthBoard:
    rows: tuple[NodeHealth, ...]
    regions: tuple[str, ...]
    region: str | None
    silent_hours: int
    silent_count: int
    behind_count: int
    notices: tuple[SilenceNotice, ...]   # silence notices of the last NOTICES_SHOWN_DAYS


class SyncHealth:
    def __init__(self, ctx):
        self.ctx = ctx

    def board(self, session: HubSession, region: str | None = None) -> SyncHealthBoard:
        self.ctx.allow(session, HqWork.ADMIN)
        region = region or None
        rows = tuple(r for r in self._rows() if region is None or r.region == region)
        shown = {r.node_id for r in rows}
        return SyncHealthBoard(rows, regions_of(outlet_choices(self.ctx, active_only=False)), region,
                               silent_hours(), sum(r.silent for r in rows), sum(r.behind for r in rows),
                               tuple(n for n in self._notices(session.lang) if n.node_id in shown))

    def export_csv(self, session: HubSession, region: str | None = None) -> tuple[str, bytes]:
        """(file name, CSV bytes: UTF-8 with a BOM, so that Excel opens the Chinese right)."""
        board = self.board(session, region)
        zh = session.lang != "en"
        head = (["设备", "类型", "维修师傅", "网点", "大区", "最后同步", "未同步时长(小时)", "超时未同步",
                 "待上传修改", "近24小时被拒", "版本", "数据结构", "版本落后", "时钟偏差(秒)", "分叉告警"] if zh else
                ["device", "kind", "technician", "outlet", "region", "last sync (UTC ms)", "hours without sync",
                 "silent", "pending changes", "refused (24 h)", "release", "schema", "behind",
                 "clock drift (s)", "fork alerts"])
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(head)
        for r in board.rows:
            writer.writerow([r.name, r.kind, r.technician, f"{r.outlet_code} {r.outlet_name}".strip(), r.region,
                             r.last_sync_at or "", round(r.silent_ms / HOUR_MS, 1), int(r.silent),
                             "" if r.pending is None else r.pending, r.refused_day, r.app_version,
                             "" if r.schema is None else r.schema, int(r.behind),
                             "" if r.clock_drift_ms is None else round(r.clock_drift_ms / 1000),
                             r.open_forks])
        return f"sync-health-{region or 'all'}.csv", ("\ufeff" + out.getvalue()).encode("utf-8")

    # ---- the silence job ----

    def notify_silent(self) -> int:
        """One notice per silence longer than the configured hours, to the outlet's
        manager (the outlet's bucket) and on HQ's screen; returns how many it raised."""
        ctx = self.ctx
        hours = silent_hours()
        silent = [r for r in self._rows() if r.silent]
        if not silent:
            return 0
        raised = 0
        with ctx.tx():
            ops = []
            for r in silent:
                notice_id = silence_id(r)
                if ctx.one("SELECT 1 AS x FROM notices WHERE id = ?", (notice_id,)) is not None:
                    continue
                detail = notices.detail(NOTICE_KIND, device=r.name, silent_ms=r.silent_ms, hours=hours,
                                        pending="?" if r.pending is None else r.pending)
                ops.append({"op": "add", "table": "notices", "id": notice_id, "fields": {
                    "outlet_id": r.outlet_id, "kind": NOTICE_KIND, "code": NOTICE_KIND,
                    "message": notices.render(detail, "zh"), "detail": detail,
                    "row_id": r.node_id, "at": ctx.now()}})
                raised += 1
            if ops:
                ctx.write(None, ops)
                ctx.audit(None, "devices_silent", detail=f"{raised} notices")
        return raised

    # ---- reads ----

    def _rows(self) -> list[NodeHealth]:
        ctx = self.ctx
        now = ctx.now()
        hours = silent_hours()
        refused = {r["origin"]: r["n"] for r in ctx.query(
            "SELECT origin, COUNT(*) AS n FROM refusals WHERE at >= ? GROUP BY origin", (now - DAY_MS,))}
        found = ctx.query(
            "SELECT n.node_id, n.name, n.kind, n.technician_id, n.outlet_id, n.last_seen_at, n.enrolled_at,"
            " n.pending, n.app_version, n.schema, n.clock_drift_ms, o.code AS outlet_code,"
            " o.name AS outlet_name, o.region, u.display_name AS technician,"
            " (SELECT COUNT(*) FROM fork_alerts f WHERE f.node_id = n.node_id AND f.resolved = 0) AS open_forks"
            " FROM nodes n LEFT JOIN outlets o ON o.id = n.outlet_id LEFT JOIN users u ON u.id = n.technician_id"
            " WHERE n.status = 'active'")
        rows = []
        for n in found:
            since = n["last_seen_at"] or n["enrolled_at"] or now
            silent_ms = max(0, now - since)
            rows.append(NodeHealth(
                n["node_id"], n["name"] or n["node_id"], n["kind"] or "outlet", n["technician"] or "",
                n["outlet_id"] or "", n["outlet_code"] or "", n["outlet_name"] or "", n["region"] or "",
                n["last_seen_at"], silent_ms, silent_ms > hours * HOUR_MS, n["pending"],
                refused.get(n["node_id"], 0), n["app_version"] or "", n["schema"], behind(n),
                n["clock_drift_ms"], n["open_forks"]))
        rows.sort(key=lambda r: (-r.silent_ms, -(r.pending or 0), r.outlet_code, r.name))
        return rows

    def _notices(self, lang: str) -> list[SilenceNotice]:
        import json
        found = self.ctx.query(
            "SELECT s.id, s.row_id, s.message, s.detail, s.at, o.code FROM notices s"
            " LEFT JOIN outlets o ON o.id = s.outlet_id WHERE s.kind = ? AND s.at >= ? ORDER BY s.at DESC",
            (NOTICE_KIND, self.ctx.now() - NOTICES_SHOWN_DAYS * DAY_MS))
        out = []
        for n in found:
            try:
                detail = json.loads(n["detail"]) if isinstance(n["detail"], str) else n["detail"]
            except ValueError:
                detail = None
            out.append(SilenceNotice(n["id"], n["row_id"] or "", n["code"] or "",
                                     notices.render(detail, lang, n["message"] or ""), n["at"]))
        return out


def silence_id(r: NodeHealth) -> str:
    """One notice per silence: the node and the contact it fell silent after."""
    return str(uuid.uuid5(NS, f"{r.node_id}:{r.last_sync_at or 0}"))


def silence_job(services) -> int:
    """The scheduled job (hub/jobs.py JOBS)."""
    return services.sync_health.notify_silent()
