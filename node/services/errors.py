"""The node's services raise shared.errors.ServiceError (the hub's services raise the same
one); this module keeps the import path the node's code and tests use."""
from shared.errors import ServiceError

__all__ = ["ServiceError"]
