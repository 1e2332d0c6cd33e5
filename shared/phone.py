"""Customer phone numbers: masked wherever a screen shows them (138****5678), matched by
their last digits when a clerk searches, checked loosely when one is typed in."""
import re

_DIGITS = re.compile(r"\D")
_PLAUSIBLE = re.compile(r"^\+?[0-9][0-9 \-]{5,18}[0-9]$")


def digits(phone: str | None) -> str:
    return _DIGITS.sub("", phone or "")


def mask(phone: str | None) -> str:
    """Keep the first 3 and last 4 digits of a mobile number; shorter numbers keep only
    their last 4 digits, very short ones are hidden whole."""
    d = digits(phone)
    if not d:
        return ""
    if len(d) >= 11:
        return d[:3] + "*" * (len(d) - 7) + d[-4:]
    if len(d) > 4:
        return "*" * (len(d) - 4) + d[-4:]
    return "*" * len(d)


def plausible(phone: str | None) -> bool:
    """A mobile (11 digits from 1) or a landline with area code (7–12 digits)."""
    text = (phone or "").strip()
    if not _PLAUSIBLE.match(text):
        return False
    d = digits(text)
    return (len(d) == 11 and d.startswith("1")) or 7 <= len(d) <= 12
