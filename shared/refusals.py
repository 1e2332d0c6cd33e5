"""Why the hub refuses one op of a pushed change: the protocol's op refusal codes (push
response `rejected[].code`, the refusal notice's `code`) and the exception that carries one
out of the authoriser or a table's policy (shared/policies.py). The rest of the segment
goes on; only that op is refused."""
from shared import notices

NOT_OWNER = "not_owner"
FORBIDDEN = "forbidden"
BAD_TRANSITION = "bad_transition"
FROZEN = "frozen"
CONFLICT = "conflict"
INVALID = "invalid"
CLOCK_AHEAD = "clock_ahead"
# A row HQ moved to another outlet (an order taken back and re-dispatched): the old outlet's
# late work on it is refused, and kept whole at HQ (`late_work`) for a person to read.
MOVED_AWAY = "moved_away"


class OpRefused(Exception):
    """One op the hub will not apply. `key` and `params` say why (shared/notices.py): the
    node words them in its user's language; `message` is the English wording, the
    protocol's human message."""

    def __init__(self, code: str, key: str, **params: object):
        self.code = code
        self.detail = notices.detail(key, **params)
        self.message = notices.render(self.detail, "en")
        self.moved: tuple[str, str] | None = None  # MOVED_AWAY: the (table, id) HQ moved
        super().__init__(self.message)
