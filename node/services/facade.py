"""All the node's services over one replica, built once by the app (the Flet UI, the CLI,
tests) and called with the logged-in Session."""
from typing import Callable

from node.services.attachments import Attachments
from node.services.auth import Auth
from node.services.context import Context
from node.services.kb import KnowledgeBase
from node.services.order_actions import OrderActions
from node.services.order_detail import OrderDetails
from node.services.order_list import OrderList
from node.services.order_parts import OrderParts
from node.services.parts_requests import PartsRequests
from node.services.people import People
from node.services.settlement import Settlements
from node.services.stock import Stock
from node.services.stocktake import Stocktake
from node.services.sync_panel import SyncPanel


class NodeServices:
    """`queue_blob(bytes) -> sha256`: the upload queue for photos and signatures
    (SyncService.queue_attachment); `sync_now()` and `sync_status()`: the background
    sync's "sync now" and its status; `now()`: device time in epoch ms."""

    def __init__(self, store, *, now: Callable[[], int] | None = None,
                 queue_blob: Callable[[bytes], str] | None = None,
                 sync_now: Callable | None = None, sync_status: Callable | None = None):
        self.ctx = Context(store, now)
        self.auth = Auth(self.ctx)
        self.people = People(self.ctx)
        self.attachments = Attachments(self.ctx, queue_blob)
        self.orders = OrderList(self.ctx)
        self.order = OrderDetails(self.ctx)
        self.actions = OrderActions(self.ctx, self.attachments)
        self.parts = OrderParts(self.ctx)
        self.stock = Stock(self.ctx)
        self.requests = PartsRequests(self.ctx)
        self.stocktake = Stocktake(self.ctx)
        self.settlements = Settlements(self.ctx)
        self.kb = KnowledgeBase(self.ctx)
        self.sync = SyncPanel(self.ctx, sync_now, sync_status)

    def login(self, username: str, secret: str, *, pin: bool = False, lang: str = "zh"):
        return self.auth.login(username, secret, pin=pin, lang=lang)
