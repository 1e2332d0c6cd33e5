"""Result types that several services return."""
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Option:
    """One entry of a picker: the value it stands for, and its text in the session's language."""
    key: str
    text: str
