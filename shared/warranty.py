"""Whether an appliance is still under warranty: its purchase date plus the model's
warranty months, or its category's default when the model does not say. The node shows
it on the order and pre-fills a used part's in-warranty flag; the hub checks settlements
with the same rule."""
from dataclasses import dataclass
from datetime import date, timedelta

# Whole-unit warranty by product category (months), as the manufacturer's policy states.
CATEGORY_MONTHS = {"AC": 72, "WM": 36, "RF": 36, "WH": 36, "RH": 60}
DEFAULT_MONTHS = 12  # the national 三包 minimum for a whole appliance

IN, OUT, UNKNOWN = "in", "out", "unknown"


@dataclass(frozen=True)
class Warranty:
    state: str               # in / out / unknown (no or unreadable purchase date)
    months: int
    until: date | None       # last day covered


def months_for(model_months: int | None, category: str | None) -> int:
    if isinstance(model_months, int) and model_months > 0:
        return model_months
    return CATEGORY_MONTHS.get(category or "", DEFAULT_MONTHS)


def add_months(d: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (Jan 31 + 1 → Feb 28/29)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)


def parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def warranty_status(purchase_date: str | None, model_months: int | None,
                    category: str | None, on: date) -> Warranty:
    months = months_for(model_months, category)
    bought = parse_date(purchase_date)
    if bought is None:
        return Warranty(UNKNOWN, months, None)
    until = add_months(bought, months) - timedelta(days=1)
    return Warranty(IN if on <= until else OUT, months, until)
