"""HQ's landing screen: how much of each kind of work waits now — orders to dispatch or
re-dispatch, callbacks due, open complaints (and how many are past their deadline),
documents to approve, orders escalated to HQ for their SLA. A person sees the counts of
the work their role does (shared/roles.py HQ_WORK), each the length of that work's own
queue, so the tile and the screen it opens agree."""
from dataclasses import dataclass

from shared.roles import HQ_WORK, HqWork

from hub.services.session import HubSession

# The most a tile counts (queues are read whole); beyond it the tile says "999+".
CAP = 999


@dataclass(frozen=True)
class Tile:
    key: str          # what waits (a text key of the home screen)
    screen: str       # the rail entry that works on it
    count: int
    urgent: int       # how many of them are late (a complaint past its deadline, …)
    capped: bool      # count stopped at CAP


class Overview:
    def __init__(self, services):
        self.s = services

    def today(self, session: HubSession) -> list[Tile]:
        tiles = []
        may = lambda work: session.role in HQ_WORK[work]  # noqa: E731
        if may(HqWork.DISPATCH):
            queue = self.s.dispatch.queue(session)
            tiles.append(_tile("home_dispatch", "in_nav_dispatch", len(queue)))
        if may(HqWork.CALLBACK):
            tiles.append(_tile("home_callbacks", "callbacks", len(self.s.callbacks.queue(session, limit=CAP + 1))))
        if may(HqWork.COMPLAINTS):
            open_ = self.s.complaints.queue(session)
            tiles.append(_tile("home_complaints", "complaints", len(open_), sum(1 for c in open_ if c.overdue)))
        if may(HqWork.APPROVE):
            pending = self.s.approvals.inbox(session, pending_only=True, limit=CAP + 1)
            tiles.append(_tile("home_approvals", "ap_approvals", len(pending)))
        if may(HqWork.MONITOR):
            escalated = self.s.monitor.escalations(session.lang, limit=CAP + 1)
            tiles.append(_tile("home_escalated", "monitor", len(escalated), len(escalated)))
        return tiles


def _tile(key: str, screen: str, count: int, urgent: int = 0) -> Tile:
    return Tile(key, screen, min(count, CAP), min(urgent, CAP), count > CAP)
