"""The one exception a service (node or hub) raises when a person asks for something it will
not do: a role that may not, a step the order's status does not allow, a submitted
document, another outlet's row, bad input. It carries a code (stable, for the UI and
tests) and the message in Chinese and English; the texts live in shared/messages.py."""
from shared.labels import pair
from shared.plural import fill
from shared.messages import MESSAGES


class ServiceError(Exception):
    def __init__(self, code: str, message_zh: str, message_en: str, field: str | None = None):
        super().__init__(message_zh)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field  # the form field to point at, when there is one

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    @classmethod
    def of(cls, code: str, field: str | None = None, **params) -> "ServiceError":
        """Build from shared.messages; a (zh, en) tuple param fills each language."""
        zh, en = MESSAGES[code]
        return cls(code, _fill(zh, params, 0), _fill(en, params, 1), field)

    @classmethod
    def on_field(cls, code: str, field: str) -> "ServiceError":
        """A message about one form field, naming it in words ({what})."""
        return cls.of(code, field=field, what=pair("field", field))

    def __repr__(self) -> str:
        return f"ServiceError({self.code!r}, {self.message_zh!r})"


def _fill(template: str, params: dict, index: int) -> str:
    return fill(template, **{k: (v[index] if isinstance(v, tuple) else v) for k, v in params.items()})
