"""Service-level clocks of an order, worked out from the order alone so that a node shows
the same countdown offline as the hub: the policy for (type, priority) gives minutes to
accept, to be on site and to complete, counted from the order's `created_at`; time spent
waiting for parts does not count (the pauses come from the order events' device times).

A milestone is met by the first event that reaches it (or, without such an event, by a
status past it); declining or cancelling stops the clocks that are still running."""
from dataclasses import dataclass

from shared.orders import SLA_PAUSED, Status

ACCEPT, ON_SITE, COMPLETE = "accept", "on_site", "complete"
MILESTONES = (ACCEPT, ON_SITE, COMPLETE)
POLICY_COLUMNS = {ACCEPT: "accept_within_min", ON_SITE: "on_site_within_min",
                  COMPLETE: "complete_within_min"}
MINUTE_MS = 60_000

# The statuses at or past each milestone.
_REACHED = {
    ACCEPT: frozenset({Status.ACCEPTED, Status.SCHEDULED, Status.EN_ROUTE, Status.ON_SITE,
                       Status.WAITING_PARTS, Status.COMPLETED, Status.CLOSED}),
    ON_SITE: frozenset({Status.ON_SITE, Status.WAITING_PARTS, Status.COMPLETED, Status.CLOSED}),
    COMPLETE: frozenset({Status.COMPLETED, Status.CLOSED}),
}
_MET_BY = {ACCEPT: frozenset({Status.ACCEPTED}), ON_SITE: frozenset({Status.ON_SITE}),
           COMPLETE: frozenset({Status.COMPLETED})}
_STOPS = frozenset({Status.DECLINED, Status.CANCELLED})
# Events after which an order's clocks need its event history (a pause, a stop): for the
# others the status alone tells the clocks (`running_due`, `running_case_sql`).
CLOCK_EVENTS = tuple(sorted(str(x) for x in SLA_PAUSED | _STOPS))


@dataclass(frozen=True)
class Milestone:
    name: str
    budget_min: int
    due_at: int | None        # None while paused (the due time moves with the pause)
    met_at: int | None        # device time of the event that met it, when known
    met: bool
    stopped: bool             # declined or cancelled before it was met
    remaining_ms: int | None  # for a running clock: time left (negative when overdue)
    breached: bool

    @property
    def running(self) -> bool:
        return not self.met and not self.stopped


@dataclass(frozen=True)
class SlaClock:
    milestones: tuple[Milestone, ...]
    paused: bool

    @property
    def next(self) -> Milestone | None:
        """The first milestone whose clock still runs: what a countdown shows."""
        return next((m for m in self.milestones if m.running), None)

    @property
    def overdue(self) -> bool:
        return any(m.running and m.breached for m in self.milestones)


def policy_for(policies: list[dict], order_type: str | None, priority: str | None) -> dict | None:
    """The active policy for (type, priority); an order without its own priority's policy
    falls back to the type's normal one."""
    active = [p for p in policies if p.get("active") is not False and p.get("type") == order_type]
    for want in (priority or "normal", "normal"):
        for p in active:
            if p.get("priority") == want:
                return p
    return None


def _pauses(events: list[tuple[str, int]]) -> list[tuple[int, int | None]]:
    """[start, end) intervals spent in a paused status, end None while still paused."""
    out: list[tuple[int, int | None]] = []
    start: int | None = None
    for to_status, at in events:
        if to_status in SLA_PAUSED:
            if start is None:
                start = at
        elif start is not None:
            out.append((start, at))
            start = None
    if start is not None:
        out.append((start, None))
    return out


def _due(created_at: int, budget_ms: int, pauses) -> tuple[int | None, int]:
    """When the unpaused time since creation reaches the budget. Returns (due, left):
    due None with `left` the budget remaining when a still-open pause began before it."""
    t, left = created_at, budget_ms
    for start, end in pauses:
        if start >= t + left:
            break
        if start > t:
            left -= start - t
        if end is None:
            return None, left
        t = max(t, end)
    return t + left, left


def sla_clock(*, created_at: int | None, policy: dict | None, status: str | None,
              events: list[tuple[str, int]], now: int,
              accepted_at_creation: bool = False) -> SlaClock | None:
    """The order's clocks at `now`. `events`: (to_status, at) of its events in any order;
    `accepted_at_creation`: the order entered as accepted (phoned in to the outlet)."""
    if created_at is None or policy is None:
        return None
    events = sorted(((s, a) for s, a in events if isinstance(a, int)), key=lambda e: e[1])
    pauses = _pauses(events)
    stop_at = next((a for s, a in events if s in _STOPS), None)
    stopped_by_status = status in _STOPS or status == Status.CLOSED
    milestones = []
    for name in MILESTONES:
        minutes = policy.get(POLICY_COLUMNS[name])
        if not isinstance(minutes, int):
            continue
        met_at = next((a for s, a in events if s in _MET_BY[name]), None)
        if name == ACCEPT and accepted_at_creation:
            met_at = created_at
        met = met_at is not None or status in _REACHED[name]
        due, left = _due(created_at, minutes * MINUTE_MS, pauses)
        stopped = not met and (stop_at is not None or stopped_by_status)
        if met:
            remaining, breached = None, met_at is not None and due is not None and met_at > due
        elif stopped:
            remaining = None
            breached = stop_at is not None and due is not None and stop_at > due
        else:
            remaining = left if due is None else due - now
            breached = remaining < 0
        milestones.append(Milestone(name, minutes, due, met_at, met, stopped, remaining, breached))
    paused = bool(pauses) and pauses[-1][1] is None and status in SLA_PAUSED
    return SlaClock(tuple(milestones), paused)


def running_due(*, created_at: int | None, policy: dict | None, status: str | None) -> tuple[str, int] | None:
    """For an order that never waited for parts: its first running milestone and when it
    is due. The answer `sla_clock` gives from the status alone, without building the whole
    clock — what an overdue filter over thousands of orders needs."""
    if created_at is None or policy is None or status in _STOPS or status == Status.CLOSED:
        return None
    for name in MILESTONES:
        minutes = policy.get(POLICY_COLUMNS[name])
        if isinstance(minutes, int) and status not in _REACHED[name]:
            return name, created_at + minutes * MINUTE_MS
    return None


def running_case_sql(policies: list[dict], statuses, status_sql: str, value: str = "due") -> tuple[str, list]:
    """SQL (with its parameters) that gives, for an order row `o` without CLOCK_EVENTS
    (it never waited for parts nor was declined or cancelled), what `running_due` says
    without building a clock: `value` "due" → due − created_at in ms, "budget" → the
    running milestone's minutes, "milestone" → its name; NULL where no clock runs. It
    depends only on the order's type, priority and status (`status_sql`, the status
    expression to use), so nested CASEs over the policies
    let SQL rank and count thousands of orders. A priority without a policy of its own
    falls back as `policy_for` does (the ELSE arm)."""
    def by_status(policy) -> tuple[str, list]:
        arms, args = [], []
        for status in statuses:
            nxt = running_due(created_at=0, policy=policy, status=status)
            if nxt is not None:
                arms.append("WHEN ? THEN ?")
                name, due = nxt
                args += [str(status), {"due": due, "budget": policy[POLICY_COLUMNS[name]], "milestone": name}[value]]
        return (f"CASE {status_sql} {' '.join(arms)} END", args) if arms else ("NULL", [])

    type_arms, args = [], []
    for type_ in sorted({p["type"] for p in policies if p.get("type")}):
        prio_arms, prio_args = [], []
        for priority in sorted({p["priority"] for p in policies if p.get("type") == type_ and p.get("priority")}):
            sql, a = by_status(policy_for(policies, type_, priority))
            prio_arms.append(f"WHEN ? THEN {sql}")
            prio_args += [priority, *a]
        other, a = by_status(policy_for(policies, type_, None))
        by_priority = f"CASE o.priority {' '.join(prio_arms)} ELSE {other} END" if prio_arms else other
        type_arms.append(f"WHEN ? THEN {by_priority}")
        args += [type_, *prio_args, *a]
    return (f"CASE o.type {' '.join(type_arms)} END", args) if type_arms else ("NULL", [])
