"""Customer phone numbers: masked wherever a screen shows them (138****5678), matched by
their last digits when a clerk searches, checked loosely when one is typed in."""
import re

_DIGITS = re.compile(r"\D")
_PLAUSIBLE = re.compile(r"^\+?[0-9][0-9 \-]{5,18}[0-9]$")
# What a clerk types when looking a number up: digits, maybe grouped by spaces or dashes
# (138 1234 5678, 138-1234-5678), maybe with the country code (+86) or in brackets.
_TYPED = re.compile(r"^\+?[0-9 ()\-]+$")
COUNTRY = "86"
SEARCH_MIN = 4  # a shorter run of digits matches too many numbers to mean one


def digits(phone: str | None) -> str:
    return _DIGITS.sub("", phone or "")


def searchable(text: str | None) -> str | None:
    """The digits a typed number is looked up by (the end of a stored number), or None
    when `text` is not a number being typed (a name, an order number) or is too short.
    A mobile number written with +86 drops it: numbers are stored without it."""
    text = (text or "").strip()
    if not _TYPED.match(text):
        return None
    d = digits(text)
    if len(d) == 13 and d.startswith(COUNTRY + "1"):
        d = d[len(COUNTRY):]
    return d if len(d) >= SEARCH_MIN else None


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
