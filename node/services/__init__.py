"""The outlet node's services: everything a technician and a clerk do, checked (role,
state machine, outlet, frozen documents) and written through the replica's one write
path. No UI here; the Flet views are thin over these calls and render the dataclasses
they return.

    services = NodeServices(store, queue_blob=sync.queue_attachment, sync_now=sync.sync_now)
    me = services.login("zhangsan", "1234", pin=True)
    services.orders.page(me, "today")
    services.actions.accept(me, order_id)
"""
from node.services.errors import ServiceError
from node.services.facade import NodeServices
from node.services.session import Session

__all__ = ["NodeServices", "ServiceError", "Session"]
