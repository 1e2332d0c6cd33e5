"""Complaints (投诉) at HQ: where they come from, their statuses, the departments whose
queues hold them and how long each severity may stay open."""
from enum import StrEnum


class ComplaintSource(StrEnum):
    CALL = "call"            # the customer phoned to complain
    CALLBACK = "callback"    # a low score in HQ's callback


class ComplaintStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Severity(StrEnum):
    NORMAL = "normal"
    SERIOUS = "serious"


# Hours a complaint may stay open before it is overdue.
DEADLINE_HOURS = {Severity.NORMAL: 48, Severity.SERIOUS: 24}

# The departments HQ routes complaints to: (id, zh name, en name).
DEPARTMENTS = (
    ("dept-service", "售后服务部", "After-sales service"),
    ("dept-quality", "质量管理部", "Quality management"),
    ("dept-customer", "客户关系部", "Customer relations"),
)
DEFAULT_DEPARTMENT = "dept-service"
