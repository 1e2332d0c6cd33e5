"""The outlet's people as HQ replicated them: the technicians a clerk assigns orders to
and filters the lists by."""
from dataclasses import dataclass

from shared.roles import Role

from node.services.session import Session


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    role: str


class People:
    def __init__(self, ctx):
        self.ctx = ctx

    def technicians(self, session: Session) -> tuple[Person, ...]:
        """Active technicians of this outlet, by name."""
        rows = self.ctx.query("SELECT id, COALESCE(display_name, username, id) AS name, role FROM users "
                              "WHERE outlet_id = ? AND role = ? AND active = 1 ORDER BY name",
                              (self.ctx.outlet_id, str(Role.TECHNICIAN)))
        return tuple(Person(r["id"], r["name"], r["role"]) for r in rows)
