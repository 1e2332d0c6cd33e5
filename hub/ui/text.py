"""HQ screen texts in the session's language. Each screen's words live in its own module
under hub/ui/texts/ (`TEXTS = {key: (zh, en)}`), so screens can be added without touching
a shared table; keys must be unique across modules (checked at import)."""
import importlib
import pkgutil

from hub.ui import texts as _texts_pkg


def _load() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for info in pkgutil.iter_modules(_texts_pkg.__path__):
        module = importlib.import_module(f"hub.ui.texts.{info.name}")
        for key, value in getattr(module, "TEXTS", {}).items():
            if key in merged and merged[key] != value:
                raise RuntimeError(f"HQ UI text {key!r} is defined twice ({info.name})")
            merged[key] = value
    return merged


TEXTS = _load()


def t(key: str, lang: str = "zh", **params) -> str:
    zh, en = TEXTS.get(key, (key, key))
    text = en if lang == "en" else zh
    return text.format(**params) if params else text
