"""Complaints (投诉) at HQ: where they come from, their statuses, the departments whose
queues hold them, how long each severity may stay open, and the steps of their handling
(assigned, transferred, escalated, each contact with the customer, resolved)."""
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


# Hours a complaint may stay open before it is overdue, unless HQ set other hours for its
# department and severity (hq_complaint_deadlines). The deadline always counts from the
# complaint's creation: a transfer or an escalation does not give the customer's clock back.
DEADLINE_HOURS = {Severity.NORMAL: 48, Severity.SERIOUS: 24}
MAX_DEADLINE_HOURS = 24 * 30

# An escalation raises the level (0: the department) by one, up to this; an escalated
# complaint is serious from then on.
MAX_LEVEL = 2


class StepKind(StrEnum):
    """One line of a complaint's history (hq_complaint_steps)."""
    OPENED = "opened"
    ASSIGNED = "assigned"
    TRANSFERRED = "transferred"
    ESCALATED = "escalated"
    CONTACT = "contact"          # HQ told the customer something and wrote down their answer
    RESOLVED = "resolved"

# The departments HQ routes complaints to: (id, zh name, en name).
DEPARTMENTS = (
    ("dept-service", "售后服务部", "After-sales service"),
    ("dept-quality", "质量管理部", "Quality management"),
    ("dept-customer", "客户关系部", "Customer relations"),
)
DEFAULT_DEPARTMENT = "dept-service"
