"""One entry of a picker or a filter, as both apps' services hand it to their screens."""
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Choice:
    """The value an entry stands for, and its words in the session's language."""
    key: str
    text: str
