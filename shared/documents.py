"""Statuses of the documents an outlet submits to HQ (parts requests, stocktakes,
settlements) and HQ's decisions on them. The outlet moves draft → submitted; HQ sets
approved or rejected and writes an `approvals` row with its comment."""
from enum import StrEnum


class DocStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    PASSED = "passed"  # one approval level of several said yes; the next level still decides


DECIDED = frozenset({DocStatus.APPROVED, DocStatus.REJECTED})
