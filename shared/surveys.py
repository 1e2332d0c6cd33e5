"""Callback survey questions (回访问卷). A survey template's `questions` is a JSON list of
strings, each the sentence an agent reads to the customer (the shape of the demo data and
of the callbacks screen). A question's kind travels in a suffix a person can read too:

    "师傅是否按预约时间上门?"             yes / no (no suffix)
    "对本次服务满意度 (1-5)"             a score from 1 to 5
    "师傅的服务态度 (满意/一般/不满意)"    one of the options

`parse` and `format` are the only readers and writers of that suffix."""
import re
from dataclasses import dataclass
from enum import StrEnum

SCORE_RANGE = "1-5"
MAX_OPTIONS = 8
_SUFFIX = re.compile(r"\s*[(（]([^()（）]*)[)）]\s*$")


class QuestionKind(StrEnum):
    YES_NO = "yes_no"
    SCORE = "score"
    CHOICE = "choice"


@dataclass(frozen=True)
class Question:
    text: str
    kind: str = QuestionKind.YES_NO
    options: tuple[str, ...] = ()


def parse(question: str) -> Question:
    """A stored question string as text, kind and options."""
    raw = str(question or "").strip()
    m = _SUFFIX.search(raw)
    if m:
        inner = m.group(1).strip()
        text = raw[:m.start()].strip()
        if inner.replace(" ", "") == SCORE_RANGE:
            return Question(text, QuestionKind.SCORE)
        options = tuple(o.strip() for o in re.split(r"[/／]", inner) if o.strip())
        if len(options) >= 2:
            return Question(text, QuestionKind.CHOICE, options)
    return Question(raw, QuestionKind.YES_NO)


def format(q: Question) -> str:  # noqa: A001 - the counterpart of parse
    """The stored string of a question (no suffix for yes/no)."""
    text = q.text.strip()
    if q.kind == QuestionKind.SCORE:
        return f"{text} ({SCORE_RANGE})"
    if q.kind == QuestionKind.CHOICE:
        return f"{text} ({'/'.join(o.strip() for o in q.options)})"
    return text
