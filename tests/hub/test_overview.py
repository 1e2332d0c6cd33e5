"""HQ's landing screen: one tile per kind of work the role does, each counting that work's
own queue, so that the number on the tile is what the screen behind it lists."""


def tiles(services, session):
    return {t.key: t for t in services.overview.today(session)}


def test_each_role_sees_the_work_it_does_counted_as_its_queue(services, agent, approver, admin):
    mine = tiles(services, agent)
    assert set(mine) == {"home_dispatch", "home_callbacks", "home_complaints", "home_escalated"}
    assert mine["home_dispatch"].count == len(services.dispatch.queue(agent))
    assert mine["home_callbacks"].count == len(services.callbacks.queue(agent, limit=5000))
    theirs = tiles(services, approver)
    assert set(theirs) == {"home_complaints", "home_approvals", "home_escalated"}
    assert theirs["home_approvals"].count == len(services.approvals.inbox(approver, pending_only=True))
    assert set(tiles(services, admin)) == set(mine) | set(theirs)
    assert {t.screen for t in services.overview.today(admin)} <= {
        "in_nav_dispatch", "callbacks", "complaints", "ap_approvals", "monitor"}


def test_a_complaint_counts_and_turns_urgent_past_its_deadline(services, agent, clock):
    before = tiles(services, agent)["home_complaints"]
    services.complaints.open(agent, summary="师傅迟到两小时，态度差")
    after = tiles(services, agent)["home_complaints"]
    assert after.count == before.count + 1 and after.urgent == before.urgent
    clock.advance(8 * 24 * 3_600_000)  # past every severity's deadline
    late = tiles(services, agent)["home_complaints"]
    assert late.count == after.count and late.urgent == late.count
