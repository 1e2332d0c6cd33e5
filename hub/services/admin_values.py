"""What an admin types, turned into the values the replicated tables hold, or refused with
a ServiceError naming the field in words (shared/labels.py group "admin_field"). The
admin services validate every input here before they write anything."""
from typing import overload

from shared.errors import ServiceError
from shared.labels import LABELS, pair
from shared.money import yuan_to_fen
from shared.tables import TABLES
from shared.validation import ValidationError
from sync.schema import from_cell


def what(field: str) -> tuple[str, str]:
    """The field in words: an administration form's, else master data's (hub/services/master_data.py)."""
    return LABELS["admin_field"].get(field) or pair("md_field", field)


def refuse(code: str, field: str, **params) -> ServiceError:
    return ServiceError.of(code, field=field, what=what(field), **params)


def text(value, field: str, *, required: bool = False, max_len: int = 200, multiline: bool = False) -> str:
    """Trimmed text; one line (inner white space collapsed) unless `multiline`."""
    raw = str(value if value is not None else "")
    s = raw.strip() if multiline else " ".join(raw.split())
    if required and not s:
        raise refuse("required", field)
    return s[:max_len]


def whole(value, field: str, *, minimum: int = 0) -> int:
    """A whole number ≥ minimum, typed or given (no floats, no bools)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise refuse("bad_number", field, min=minimum)
    try:
        n = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise refuse("bad_number", field, min=minimum) from None
    if n < minimum:
        raise refuse("bad_number", field, min=minimum)
    return n


def percent(value, field: str) -> int:
    try:
        n = whole(value, field)
    except ServiceError:
        raise refuse("bad_pct", field) from None
    if n > 100:
        raise refuse("bad_pct", field)
    return n


def fen(value, field: str) -> int:
    """Money as fen: an int is fen already, text is yuan as a person types it."""
    if isinstance(value, bool) or isinstance(value, float):
        raise refuse("bad_amount", field)
    if isinstance(value, int):
        amount = value
    else:
        if not str(value or "").strip():
            raise refuse("required", field)
        try:
            amount = yuan_to_fen(str(value))
        except ValidationError:
            raise refuse("bad_yuan", field) from None
    if amount < 0:
        raise refuse("negative_amount", field)
    return amount


def text_list(value, field: str) -> list[str]:
    """A list of short texts from a list or from text split at commas, 、 or new lines."""
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = str(value or "").replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
    out: list[str] = []
    for item in items:
        s = " ".join(str(item).split())
        if s and s not in out:
            out.append(s[:100])
    return out


@overload
def decoded(table: str, row: dict) -> dict: ...


@overload
def decoded(table: str, row: None) -> None: ...


def decoded(table: str, row: dict | None) -> dict | None:
    """A raw row of a replicated table (JSON as text, booleans as 0/1) as values."""
    if row is None:
        return None
    spec = TABLES[table]
    return {c: from_cell(t, row.get(c)) for c, t in spec.columns.items()}
