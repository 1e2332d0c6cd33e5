"""HQ screen texts in the session's language. Each screen's words live in its own module
under hub/ui/texts/ (`TEXTS = {key: (zh, en)}`), so a screen adds its words without touching
a shared table; keys must be unique across modules (checked at import)."""
from types import ModuleType

from shared.plural import fill

from hub.ui.texts import (admin, approvals, callbacks, complaints, data_io, home, intake, kb_admin, master_data,
                          monitor, order_query, reports, shell, sync_health)

MODULES = (admin, approvals, callbacks, complaints, data_io, home, intake, kb_admin, master_data, monitor, order_query,
           reports, shell, sync_health)


def _load(modules: tuple[ModuleType, ...]) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for module in modules:
        for key, value in module.TEXTS.items():
            if key in merged and merged[key] != value:
                raise RuntimeError(f"HQ UI text {key!r} is defined twice ({module.__name__})")
            merged[key] = value
    return merged


TEXTS = _load(MODULES)


def t(key: str, lang: str = "zh", **params) -> str:
    zh, en = TEXTS.get(key, (key, key))
    text = en if lang == "en" else zh
    return fill(text, **params) if params else text  # English plurals: shared/plural.py
