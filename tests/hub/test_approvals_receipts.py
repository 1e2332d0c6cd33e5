"""Receipt discrepancies from a real node: what a shipment brought short, damaged or extra
reaches HQ's approvals inbox once, priced at catalog price; the approver settles it (a
dispute needs a comment, in words) and the outlet sees HQ's word after a sync."""
import pytest

from node.services.receiving import Arrived
from tests.hub.outlet_node import enroll, hub_row
from tests.hub.test_approvals_parts import cheap_and_dear, refused, submit_request


@pytest.fixture
def shop(hub, tmp_path):
    o = enroll(hub, tmp_path)
    yield o
    o.node.store.close()


def test_hq_settles_what_a_shipment_brought_short(services, approver, shop, hub):
    cheap, _ = cheap_and_dear(services)
    rid = submit_request(shop, {cheap["id"]: 5})
    review = services.approvals.parts_request(approver, rid)
    services.approvals.decide_parts_request(approver, rid, "approved", "", {review.lines[0].line_id: 5},
                                            seen_hash=review.content_hash)
    shop.sync()
    line = shop.svc.receiving.shipment(shop.clerk, rid).lines[0]
    view = shop.svc.receiving.receive(shop.clerk, rid, {line.line_id: Arrived(3, damaged=1)})
    shop.sync()
    shop.sync()  # again: nothing posted twice
    items = [i for i in services.approvals.inbox(approver) if i.subject == "receipt_discrepancies"]
    assert [(i.id, i.pending, i.title) for i in items] == [(view.id, True, review.number)]
    r = services.approvals.receipt(approver, view.id)
    [x] = r.lines
    assert (x.shipped, x.received, x.damaged, x.short) == (5, 3, 1, 1)
    assert r.value == 2 * cheap["unit_price"] and r.decidable
    refused(hub, "reject_comment", services.approvals.decide_receipt, approver, view.id, "rejected", "",
            r.content_hash)
    assert services.approvals.decide_receipt(approver, view.id, "approved", "短少1件下批补发",
                                             r.content_hash) == "approved"
    assert hub_row(hub, "receipt_discrepancies", view.id)["status"] == "approved"
    refused(hub, "approval_decided", services.approvals.decide_receipt, approver, view.id, "approved", "ok",
            r.content_hash)
    shop.sync()
    [mine] = shop.svc.receiving.discrepancies(shop.clerk)
    assert (mine.status_label, mine.comment) == ("已批准", "短少1件下批补发")
