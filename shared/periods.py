"""Local days and settlement periods. Outlets and HQ are in China (UTC+8, no daylight
saving): "today" and a `YYYY-MM` period begin at local midnight whatever the device's
timezone setting says, so the node's draft and the hub's recomputation agree."""
import re
from datetime import date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "CST")
DAY_MS = 24 * 3600 * 1000
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def local_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, CHINA_TZ)


def local_date(ms: int) -> date:
    return local_datetime(ms).date()


def ms_of(d: date) -> int:
    """Local midnight at the start of a date, in epoch ms."""
    return int(datetime(d.year, d.month, d.day, tzinfo=CHINA_TZ).timestamp() * 1000)


def day_bounds(ms: int) -> tuple[int, int]:
    """[start, end) of the local day containing `ms`."""
    start = ms_of(local_date(ms))
    return start, start + DAY_MS


def period_of(ms: int) -> str:
    d = local_date(ms)
    return f"{d.year:04d}-{d.month:02d}"


def previous_period(ms: int) -> str:
    """The month before the one containing `ms`: the settlement an outlet submits now."""
    d = local_date(ms)
    return f"{d.year - (d.month == 1):04d}-{(d.month - 2) % 12 + 1:02d}"


def valid_period(period: str) -> bool:
    return bool(_PERIOD.match(period or ""))


def period_bounds(period: str) -> tuple[int, int]:
    """[start, end) of a `YYYY-MM` period in epoch ms; ValueError when malformed."""
    m = _PERIOD.match(period or "")
    if not m:
        raise ValueError(f"not a YYYY-MM period: {period!r}")
    year, month = int(m[1]), int(m[2])
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return ms_of(date(year, month, 1)), ms_of(nxt)
