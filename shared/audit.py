"""What an outlet records for HQ's audit (the `order_audit` ledger): who did something
to an order that HQ must be able to see, and when — never what they saw. The hub copies
each row into its own audit (hq_audit) as it accepts it."""
from enum import StrEnum


class AuditAction(StrEnum):
    REVEAL_PHONE = "reveal_phone"  # a customer's full phone number was shown on a device


# hq_audit's action for each, as HQ's audit lists it ("outlet_" + the outlet's action)
HQ_PREFIX = "outlet_"
