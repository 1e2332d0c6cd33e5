"""What the HQ screens' filters offer, shared by the services that fill them (the SLA
board's and the reports'): an outlet with its region (an entry is shared/choices.py Choice)."""
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OutletChoice:
    id: str
    code: str
    name: str
    region: str


def outlet_choices(ctx, *, active_only: bool) -> tuple[OutletChoice, ...]:
    """The outlets by code (every one, or the active ones)."""
    where = " WHERE active IS NOT 0" if active_only else ""
    return tuple(OutletChoice(o["id"], o["code"] or "", o["name"] or "", o["region"] or "") for o in ctx.query(
        f"SELECT id, code, name, region FROM outlets{where} ORDER BY code"))


def regions_of(outlets: tuple[OutletChoice, ...]) -> tuple[str, ...]:
    return tuple(sorted({o.region for o in outlets if o.region}))
