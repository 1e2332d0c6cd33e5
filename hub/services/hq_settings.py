"""HQ's adjustable settings (#15 item 8): callback sampling per order type and the delay
before a callback is due, the amounts above which a parts request needs a second and a
third approver, the stocktake variance that posts without an approver, and the SLA level
(share of a milestone's time used) at which the escalation job warns the outlet's manager. The defaults
are the rules shared/callbacks.py and shared/approvals.py define; an administrator changes
them on the rules screen (规则配置 → 参数设置), each change one audit line (old → new) in
`hq_audit`. The callback job and the approval services read them here at each use, so a
change applies from the next run without a restart. Hub-only (nodes never decide these).

A stored value is a whole number (percent, minutes, fen, units); anything else typed is
refused in words and nothing of that save is applied."""
from dataclasses import dataclass

from shared import approvals
from shared import callbacks as cb
from shared import escalation as esc
from shared.errors import ServiceError
from shared.roles import HqWork

from hub.services.admin_values import fen, percent, whole
from hub.services.session import HubSession

DDL = (
    """CREATE TABLE IF NOT EXISTS hq_settings (key TEXT PRIMARY KEY, value INTEGER NOT NULL,
        updated_at INTEGER NOT NULL, updated_by TEXT)""",
)

SAMPLE_PREFIX = "callback_sample_pct."
WARNING_LEVELS = tuple(v for v in esc.LEVELS if v < esc.HQ_LEVEL)  # the levels the SLA clocks mark


@dataclass(frozen=True, slots=True)
class Spec:
    key: str
    kind: str        # "pct", "minutes", "fen", "count", "level"
    default: int


def _specs() -> tuple[Spec, ...]:
    return (
        *(Spec(SAMPLE_PREFIX + t, "pct", pct) for t, pct in cb.SAMPLING_PCT.items()),
        Spec("callback_delay_min", "minutes", cb.DELAY_MS // 60_000),
        Spec("approval_level2_fen", "fen", approvals.LEVEL_LIMITS[0]),
        Spec("approval_level3_fen", "fen", approvals.LEVEL_LIMITS[1]),
        Spec("variance_max_qty", "count", approvals.AUTO_POST_MAX_QTY),
        Spec("variance_max_fen", "fen", approvals.AUTO_POST_MAX_FEN),
        Spec("sla_warning_level", "level", esc.MANAGER_LEVEL),
    )


SPECS: dict[str, Spec] = {s.key: s for s in _specs()}


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    kind: str
    value: int
    default: int
    updated_at: int | None
    updated_by: str | None


class HqSettings:
    def __init__(self, ctx):
        self.ctx = ctx

    # ---- what the jobs and services read ----

    def value(self, key: str) -> int:
        spec = SPECS[key]
        stored = self.ctx.scalar("SELECT value FROM hq_settings WHERE key = ?", (key,))
        return spec.default if stored is None else int(stored)

    def sample_pct(self, order_type: str | None) -> int:
        key = SAMPLE_PREFIX + (order_type or "")
        return self.value(key) if key in SPECS else cb.DEFAULT_RATE

    def callback_delay_ms(self) -> int:
        return self.value("callback_delay_min") * 60_000

    def level_limits(self) -> tuple[int, int]:
        return self.value("approval_level2_fen"), self.value("approval_level3_fen")

    def levels_needed(self, amount_fen: int) -> int:
        return 1 + sum(1 for limit in self.level_limits() if amount_fen > limit)

    def auto_posts(self, variance: int, unit_price: int | None) -> bool:
        return (abs(variance) <= self.value("variance_max_qty")
                and abs(variance) * int(unit_price or 0) <= self.value("variance_max_fen"))

    # ---- the admin screen ----

    def all(self, session: HubSession) -> list[Setting]:
        self.ctx.allow(session, HqWork.ADMIN)
        stored = {r["key"]: r for r in self.ctx.query("SELECT * FROM hq_settings")}
        return [Setting(s.key, s.kind, int(stored[s.key]["value"]) if s.key in stored else s.default, s.default,
                        stored[s.key]["updated_at"] if s.key in stored else None,
                        stored[s.key]["updated_by"] if s.key in stored else None) for s in SPECS.values()]

    def _checked(self, key: str, raw) -> int:
        spec = SPECS.get(key)
        if spec is None:
            raise ServiceError.of("bad_choice", field=key, what=("设置项", "setting"))
        field = "hs_" + key.replace(".", "_")
        if spec.kind == "pct":
            return percent(raw, field)
        if spec.kind == "fen":
            return fen(raw, field)
        if spec.kind == "level":  # a share of an SLA milestone's time at which the outlet is warned
            level = percent(raw, field)
            if level not in WARNING_LEVELS:
                raise ServiceError.of("hs_sla_level", levels=" / ".join(str(v) for v in WARNING_LEVELS))
            return level
        return whole(raw, field, minimum=0)

    def save(self, session: HubSession, changes: dict) -> int:
        """Set the values given (a person's typed text or numbers; money as yuan text or
        fen ints); all are checked before any is written. Returns how many changed."""
        self.ctx.allow(session, HqWork.ADMIN)
        values = {k: self._checked(k, v) for k, v in changes.items()}
        current = {s.key: s.value for s in self.all(session)}
        merged = {**current, **values}
        if not merged["approval_level2_fen"] < merged["approval_level3_fen"]:
            raise ServiceError.of("hs_levels_order")
        changed = {k: v for k, v in values.items() if v != current[k]}
        ctx = self.ctx
        with ctx.tx() as c:
            for k, v in changed.items():
                c.execute("DELETE FROM hq_settings WHERE key = ?", (k,))
                c.execute("INSERT INTO hq_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)",
                          (k, v, ctx.now(), session.user_id))
                ctx.audit(session, "setting_changed", k, f"{current[k]} → {v}")
        return len(changed)
