"""All the hub's services over one hub store, built once by the hub process (the HQ web UI,
scheduled jobs, tests) and called with the logged-in HubSession."""
from collections.abc import Callable

from sync.hub_store import HubStore

from hub.services.approvals import Approvals
from hub.services.administration import Administration
from hub.services.auth import Auth
from hub.services.callbacks import Callbacks
from hub.services.complaint_work import ComplaintWork
from hub.services.complaints import Complaints
from hub.services.context import HubContext
from hub.services.customers import Customers
from hub.services.hq_settings import HqSettings
from hub.services.dispatch import Dispatch
from hub.services.importing import Importing
from hub.services.intake import Intake
from hub.services.kb_answers import KbAnswers
from hub.services.master_data import MasterData
from hub.services.monitor import Monitor
from hub.services.order_actions import OrderActions
from hub.services.order_file import OrderFiles
from hub.services.order_query import OrderQuery
from hub.services.overview import Overview
from hub.services.reports import Reports
from hub.services.rollups import Rollups
from hub.services.sync_health import SyncHealth


class HubServices:
    def __init__(self, hub: HubStore, *, now: Callable[[], int] | None = None):
        self.ctx = HubContext(hub, now)
        self.auth = Auth(self.ctx)
        self.complaints = Complaints(self.ctx)
        self.complaint_work = ComplaintWork(self.ctx, self.complaints)
        self.callbacks = Callbacks(self.ctx, self.complaints)
        self.monitor = Monitor(self.ctx)
        self.approvals = Approvals(self.ctx)
        self.dispatch = Dispatch(self.ctx)
        self.order_actions = OrderActions(self.ctx, self.dispatch)
        self.order_query = OrderQuery(self.ctx)
        self.order_files = OrderFiles(self.ctx)
        self.master_data = MasterData(self.ctx)
        self.customers = Customers(self.ctx)
        self.intake = Intake(self.ctx, self.dispatch, self.complaints, KbAnswers(self.ctx), self.master_data,
                             self.customers)
        self.admin = Administration(self.ctx)
        self.importing = Importing(self.ctx, self.master_data, self.admin.network)
        self.sync_health = SyncHealth(self.ctx)
        self.settings = HqSettings(self.ctx)
        self.rollups = Rollups(self.ctx)
        self.reports = Reports(self.ctx)
        self.overview = Overview(self)

    def login(self, username: str, password: str, *, lang: str = "zh", source: str | None = None):
        """`source`: where the attempt comes from (the browser's address), for the throttle."""
        return self.auth.login(username, password, lang=lang, source=source)
