"""The hub's services: HQ's work (call intake, dispatch, monitoring, approvals, callbacks,
knowledge base, reports, administration) over the hub store. The HQ web UI, the scheduled
jobs and the tests call these; they check roles and rules, then write through
HubContext (replicated rows via HubStore.write, hub-only rows via insert/update)."""
from shared.errors import ServiceError

from hub.services.facade import HubServices
from hub.services.session import HubSession

__all__ = ["HubServices", "HubSession", "ServiceError"]
