"""All the node's services over one replica, built once by the app (the Flet UI, the CLI,
tests) and called with the logged-in Session. Each service is wrapped so that every call
is atomic against the background sync (locking.py); callers need no lock of their own."""
from collections.abc import Callable

from node.services.attachments import Attachments
from node.services.auth import Auth
from node.services.catalog import Catalog
from node.services.context import Context
from node.services.customers import Customers
from node.services.devices import Devices
from node.services.kb import KnowledgeBase
from node.services.locking import Atomic
from node.services.notices import HqNotices
from node.services.order_actions import OrderActions
from node.services.order_detail import OrderDetails
from node.services.order_list import OrderList
from node.services.order_parts import OrderParts
from node.services.parts_requests import PartsRequests
from node.services.people import People
from node.services.receiving import Receiving
from node.services.settlement import Settlements
from node.services.shelves import Shelves
from node.services.stock import Stock
from node.services.stocktake import Stocktake
from node.services.sync_panel import SyncPanel
from node.services.van_stock import VanStock


class NodeServices:
    """`queue_blob(bytes) -> sha256`: the upload queue for photos and signatures
    (SyncService.queue_attachment) and `read_blob(sha256) -> bytes | None` to open them
again (SyncService.read_attachment); `sync_now()` and `sync_status()`: the background
    sync's "sync now" and its status; `now()`: device time in epoch ms."""

    def __init__(self, store, *, now: Callable[[], int] | None = None,
                 queue_blob: Callable[[bytes], str] | None = None,
                 read_blob: Callable[[str], bytes | None] | None = None,
                 sync_now: Callable | None = None, sync_status: Callable | None = None,
                 hub: Callable | None = None):
        self.ctx = Context(store, now)
        lock = self.ctx.lock
        attachments = Attachments(self.ctx, queue_blob, read_blob)
        self.auth = Atomic(Auth(self.ctx), lock)
        self.people = Atomic(People(self.ctx), lock)
        self.catalog = Atomic(Catalog(self.ctx), lock)
        self.customers = Atomic(Customers(self.ctx), lock)
        self.attachments = Atomic(attachments, lock)
        self.orders = Atomic(OrderList(self.ctx), lock)
        self.order = Atomic(OrderDetails(self.ctx), lock)
        self.actions = Atomic(OrderActions(self.ctx, attachments), lock)
        self.parts = Atomic(OrderParts(self.ctx), lock)
        self.stock = Atomic(Stock(self.ctx), lock)
        self.receiving = Atomic(Receiving(self.ctx), lock)
        self.requests = Atomic(PartsRequests(self.ctx), lock)
        self.stocktake = Atomic(Stocktake(self.ctx), lock)
        self.shelves = Atomic(Shelves(self.ctx), lock)
        self.van = Atomic(VanStock(self.ctx), lock)
        self.settlements = Atomic(Settlements(self.ctx), lock)
        self.kb = Atomic(KnowledgeBase(self.ctx), lock)
        self.notices = Atomic(HqNotices(self.ctx), lock)
        self.sync = Atomic(SyncPanel(self.ctx, sync_now, sync_status), lock)
        self.devices = Atomic(Devices(self.ctx, hub), lock)

    def login(self, username: str, secret: str, *, pin: bool = False, lang: str = "zh",
              source: str | None = None):
        """`source`: where the attempt comes from (the browser's address), for the throttle."""
        return self.auth.login(username, secret, pin=pin, lang=lang, source=source)
