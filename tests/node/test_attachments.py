"""Photos and signatures: the bytes go to the upload queue, the ledger row names them by
hash, HQ receives the row with the order."""
from node.services import NodeServices

PHOTO = b"\xff\xd8\xff\xe0" + "外机安装照片".encode() * 100


def test_a_photo_is_queued_and_its_row_reaches_hq(env):
    oid = env.on_site()
    aid = env.svc.attachments.attach(env.tech, oid, PHOTO, "photo", "image/jpeg")
    [line] = env.svc.order.get(env.tech, oid).attachments
    assert (line.kind_label, line.size, line.mime) == ("照片", len(PHOTO), "image/jpeg")
    assert env.blobs[line.sha256] == PHOTO
    env.sync()
    hub = env.hub("attachments", aid)
    assert (hub["sha256"], hub["size"], hub["order_id"]) == (line.sha256, len(PHOTO), oid)


def test_attachments_are_checked(env):
    oid = env.on_site()
    env.refused("attachment_type", env.svc.attachments.attach, env.tech, oid, PHOTO, "video", "video/mp4")
    env.refused("attachment_type", env.svc.attachments.attach, env.tech, oid, PHOTO, "photo", "application/pdf")
    env.refused("attachment_empty", env.svc.attachments.attach, env.tech, oid, b"", "photo", "image/jpeg")
    env.refused("not_your_order", env.svc.attachments.attach, env.tech2, oid, PHOTO, "photo", "image/jpeg")
    big = b"\0" * (16 * 1024 * 1024 + 1)
    env.refused("attachment_too_large", env.svc.attachments.attach, env.tech, oid, big, "photo", "image/png")
    offline = NodeServices(env.node.store)  # no upload queue configured
    env.refused("attachments_unavailable", offline.attachments.attach, env.tech, oid, PHOTO)
    assert env.blobs == {}
    env.w.hub.write([{"op": "put", "table": "service_orders", "id": oid, "fields": {"status": "cancelled"}}])
    env.sync()
    env.refused("order_cancelled", env.svc.attachments.attach, env.tech, oid, PHOTO)


def test_an_attached_photo_and_signature_open_again_and_one_this_device_lacks_is_explained(env):
    oid = env.on_site()
    photo = env.svc.attachments.attach(env.tech, oid, PHOTO, "photo", "image/jpeg")
    sig = b"\x89PNG\r\n\x1a\n" + "签名".encode() * 30
    signature = env.svc.attachments.attach(env.tech, oid, sig, "signature", "image/png")
    opened = env.svc.attachments.open(env.clerk, photo)  # anyone at the outlet may look again
    assert (opened.data, opened.kind_label, opened.mime, opened.order_id) == (PHOTO, "照片", "image/jpeg", oid)
    assert env.svc.attachments.open(env.tech, signature).data == sig
    env.blobs.clear()  # as on another device of the outlet, which pulled only the row
    err = env.refused("attachment_elsewhere", env.svc.attachments.open, env.tech, photo)
    assert "设备" in err.message("zh") and "device" in err.message("en")
    env.refused("not_found", env.svc.attachments.open, env.tech, "no-such-attachment")
