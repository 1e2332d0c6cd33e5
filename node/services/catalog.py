"""HQ's product catalogue as the outlet picks from it: the models a phoned-in order or an
on-site correction names."""
from dataclasses import dataclass

from node.services.session import Session


@dataclass(frozen=True, slots=True)
class Model:
    id: str
    code: str
    name: str
    category: str

    @property
    def text(self) -> str:
        return f"{self.name} {self.code}".strip()


class Catalog:
    def __init__(self, ctx):
        self.ctx = ctx

    def models(self, session: Session) -> tuple[Model, ...]:
        """Active models by category and code."""
        rows = sorted((r for r in self.ctx.reference("product_models") if r["active"]),
                      key=lambda r: (r.get("category") or "", r.get("code") or ""))
        return tuple(Model(r["id"], r.get("code") or "", r.get("name") or r["id"], r.get("category") or "")
                     for r in rows)
