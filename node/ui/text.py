"""The outlet app's screen texts in the session's language (shared/labels.py, group
"ui"); times, durations and yuan are in shared/formatting.py."""
from shared.labels import label


def t(key: str, lang: str = "zh", **params) -> str:
    text = label("ui", key, lang)
    return text.format(**params) if params else text


def heading(group: str, value, lang: str = "zh") -> str:
    """A shared label as a button or field caption: English sentence labels ("set the
    appointment", "phone number") start with a capital there."""
    text = label(group, value, lang)
    return text[:1].upper() + text[1:]
