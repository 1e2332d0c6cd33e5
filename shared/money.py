"""Money is integer fen (分) everywhere; yuan strings exist only at the edges (forms, reports).
Decimal parsing keeps floats out of signed data."""
from decimal import Decimal, InvalidOperation, ROUND_HALF_UP

from shared.validation import ValidationError


def yuan_to_fen(text: str) -> int:
    """Parse a yuan amount typed by a person ("123.45", "¥1,200") into fen."""
    cleaned = str(text).strip().replace("¥", "").replace(",", "").replace("，", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError("amount", f"不是有效金额: {text!r}") from None
    if not value.is_finite():
        raise ValidationError("amount", f"不是有效金额: {text!r}")
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> str:
    """Format fen as a yuan string with two decimals and a sign: -1234 -> '-12.34'."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"
