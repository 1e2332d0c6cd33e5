"""The outlet's existing customers, found by their phone number, for an order a customer
phones in again: the clerk names the customer instead of retyping them. The node holds
the customers HQ replicated to it — those of its orders, the ones it serves — so the hub
accepts an order naming one (sync/authorize.py refuses a customer the outlet does not
serve). A customer HQ merged into another is found as the one it became."""
from dataclasses import dataclass

from shared import phone
from shared.roles import OFFICE

from node.services import guards
from node.services.errors import ServiceError
from node.services.session import Session

MAX_FOUND = 10


@dataclass(frozen=True, slots=True)
class KnownCustomer:
    id: str
    name: str
    phone_masked: str
    address: str
    member_level: str


class Customers:
    def __init__(self, ctx):
        self.ctx = ctx

    def by_phone(self, session: Session, typed: str) -> tuple[KnownCustomer, ...]:
        """The outlet's customers whose number ends with the digits typed (spaces, dashes
        and +86 ignored; 4 digits at least), by name. Something that is not a number is
        refused in words."""
        if session.role not in OFFICE:
            raise guards.forbidden("create_order", OFFICE)
        tail = phone.searchable(typed)
        if not tail:
            raise ServiceError.of("customer_phone_search", field="customer_phone")
        rows = self.ctx.query(
            "SELECT DISTINCT COALESCE(m.id, c.id) AS id FROM customers c LEFT JOIN customers m ON m.id = c.merged_into "
            "WHERE REPLACE(REPLACE(c.phone, '-', ''), ' ', '') LIKE ?", (f"%{tail}",))
        found = [self.get(r["id"]) for r in rows]
        return tuple(sorted((c for c in found if c), key=lambda c: (c.name, c.id)))[:MAX_FOUND]

    def get(self, customer_id: str | None) -> KnownCustomer | None:
        """A customer an order may name: one on this node, not merged into another."""
        row = self.ctx.one("SELECT * FROM customers WHERE id = ?", (customer_id or "",))
        if row is None or row.get("merged_into"):
            return None
        return KnownCustomer(row["id"], row.get("name") or "", phone.mask(row.get("phone")),
                             row.get("address") or "", row.get("member_level") or "")
