"""Numbers and times as a person reads them, in zh or en: local times, durations, yuan.
Both apps (the outlet's and HQ's) and the messages HQ sends use these."""
from datetime import datetime

from shared.labels import label
from shared.money import fen_to_yuan
from shared.periods import CHINA_TZ, local_datetime


def when(ms: int | None, lang: str = "zh") -> str:
    """A local date and time, or "never"."""
    if not ms:
        return label("ui", "never", lang)
    return local_datetime(ms).strftime("%Y-%m-%d %H:%M")


def span(ms: int, lang: str = "zh") -> str:
    """A duration, the two largest units: 2天3小时 / 2 d 3 h, 45分钟 / 45 min."""
    minutes = abs(int(ms)) // 60000
    d, rest = divmod(minutes, 24 * 60)
    h, m = divmod(rest, 60)
    zh = [(d, "天"), (h, "小时"), (m, "分钟")]
    en = [(d, " d"), (h, " h"), (m, " min")]
    parts = [f"{n}{u}" for n, u in (en if lang == "en" else zh) if n][:2]
    return ("" if lang != "en" else " ").join(parts) or ("0 min" if lang == "en" else "0分钟")


def yuan(fen: int | None) -> str:
    """-2000 → -¥20.00"""
    fen = fen or 0
    return ("-" if fen < 0 else "") + "¥" + fen_to_yuan(abs(fen))


def parse_local(date_text: str, time_text: str) -> int | None:
    """Epoch ms of a local (China) date and time typed as 2025-06-01 and 14:30."""
    try:
        dt = datetime.strptime(f"{date_text.strip()} {time_text.strip()}", "%Y-%m-%d %H:%M")
    except ValueError:
        return None
    return int(dt.replace(tzinfo=CHINA_TZ).timestamp() * 1000)
