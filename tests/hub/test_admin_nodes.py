"""Devices: an admin's enrollment code (with its QR) really enrolls a node, the node list
shows it with its outlet and chain position, a revoked node is refused at its next sync,
and a node restored from an old copy raises a fork alert that the admin marks resolved."""
import pytest

from sync.enrollment import decode_code
from sync.errors import SyncError

from tests.hub.enrolled import EnrolledNode
from tests.hub.test_admin_network import outlet_id, refused


def test_an_enrollment_code_enrolls_a_real_node_which_then_shows_in_the_list(services, admin, tmp_path):
    nodes = services.admin.nodes
    nodes.configure("https://hq.example.cn:8443", "ab" * 32)
    sh02 = outlet_id(services, "SH02")
    ec = nodes.enroll_code(admin, sh02)
    assert ec.outlet_code == "SH02" and ec.expires_at > services.ctx.now() - 10 ** 9
    data = decode_code(ec.code)
    assert data["url"] == "https://hq.example.cn:8443" and data["cert_sha256"] == "ab" * 32
    png = ec.qr_png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 200
    audit = services.ctx.one("SELECT * FROM hq_audit WHERE action = 'enroll_code_created'")
    assert audit["detail"] == "SH02" and data["token"] not in repr(audit) and ec.code not in repr(audit)
    node = EnrolledNode(services.ctx.hub, ec.code, tmp_path / "sh02.db")
    node.sync()
    assert node.enrollment["outlet_code"] == "SH02"
    listed = {n.node_id: n for n in nodes.nodes(admin)}
    row = listed[node.node_id]
    assert (row.outlet_code, row.status, row.letter, row.open_forks, row.active) == ("SH02", "active", "A", 0, True)
    with pytest.raises(SyncError) as e:  # a code works once
        EnrolledNode(services.ctx.hub, ec.code, tmp_path / "again.db")
    assert e.value.code == "bad_token"
    node.close()


def test_no_code_for_an_inactive_or_unknown_outlet(services, admin):
    nodes, net = services.admin.nodes, services.admin.network
    gz02 = outlet_id(services, "GZ02")
    net.save_outlet(admin, gz02, active=False)
    before = services.ctx.scalar("SELECT COUNT(*) FROM enroll_tokens")
    refused("outlet_unknown", nodes.enroll_code, admin, gz02, services=services)
    refused("outlet_unknown", nodes.enroll_code, admin, "nowhere", services=services)
    refused("bad_choice", nodes.enroll_code, admin, outlet_id(services, "SH01"), "ftp://x", services=services)
    assert services.ctx.scalar("SELECT COUNT(*) FROM enroll_tokens") == before


def test_a_revoked_node_is_refused_at_its_next_sync(services, admin, tmp_path):
    nodes = services.admin.nodes
    node = EnrolledNode(services.ctx.hub, nodes.enroll_code(admin, outlet_id(services, "GZ01")).code,
                        tmp_path / "gz01.db")
    node.sync()
    nodes.revoke(admin, node.node_id)
    revoked = {n.node_id: n for n in nodes.nodes(admin)}[node.node_id]
    assert (revoked.status, revoked.active) == ("revoked", False)
    with pytest.raises(SyncError) as e:
        node.sync()
    assert e.value.code == "revoked"
    refused("node_revoked", nodes.revoke, admin, node.node_id, services=services)
    refused("not_found", nodes.revoke, admin, "node-unknown", services=services)
    assert services.ctx.scalar("SELECT COUNT(*) FROM hq_audit WHERE action = 'node_revoked'") == 1
    node.close()


def test_a_fork_alert_is_listed_and_marked_resolved_once(services, admin, tmp_path):
    nodes = services.admin.nodes
    bj02 = outlet_id(services, "BJ02")
    node = EnrolledNode(services.ctx.hub, nodes.enroll_code(admin, bj02).code, tmp_path / "bj02.db")
    node.sync()
    clerk = services.ctx.one("SELECT id FROM users WHERE username = 'bj02.clerk'")["id"]
    order = services.ctx.one("SELECT id FROM service_orders WHERE outlet_id = ? LIMIT 1", (bj02,))["id"]

    def edit(notes):
        node.store.write(clerk, [{"op": "put", "table": "service_orders", "id": order, "fields": {"notes": notes}}])

    edit("备份前")
    node.sync()
    node.backup_to(tmp_path / "old.db")
    edit("备份后")
    node.sync()
    node.restore_from(tmp_path / "old.db")
    edit("恢复后")
    node.sync()
    alerts = nodes.forks(admin)
    assert len(alerts) == 1 and alerts[0].outlet_code == "BJ02" and alerts[0].node_id == node.node_id
    assert {n.node_id: n for n in nodes.nodes(admin)}[node.node_id].open_forks == 1
    nodes.resolve_fork(admin, alerts[0].id)
    assert nodes.forks(admin) == [] and len(nodes.forks(admin, open_only=False)) == 1
    refused("fork_resolved", nodes.resolve_fork, admin, alerts[0].id, services=services)
    refused("not_found", nodes.resolve_fork, admin, 999999, services=services)
    node.close()
