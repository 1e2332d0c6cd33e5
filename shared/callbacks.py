"""HQ's callbacks (回访): which completed orders are called back, when, how a survey's
answers become a score and the score a result, how often an unreachable customer is tried.
Defined once here; the hub's callback service and job, the UI and the tests read them.

Survey questions (`survey_templates.questions`) are a list; each item is either a plain
string — "…满意度 (1-5)" is a 1–5 rating, anything else a yes/no question — or a dict
`{"text": …, "en": …, "kind": "yes_no" | "scale", "min": 1, "max": 5}` ("en": the English an
English-speaking agent reads; a plain string's English comes from shared/labels.py group
"survey_question", else the agent reads the Chinese). Answers are "yes"/"no" for
yes/no questions and an integer within [min, max] for ratings.

The score (0–100) is the mean of the answers' points: yes = 100, no = 0, a rating r on
[lo, hi] = (r − lo) × 100 / (hi − lo); rounded half up. Below LOW_SCORE the callback is
unsatisfied (a settlement deduction) and opens a complaint."""
import hashlib
import os
import re
from dataclasses import dataclass
from enum import StrEnum

from shared.fees import CallbackResult
from shared.labels import label

HOUR_MS = 3_600_000


def _env_int(name: str, default: int) -> int:
    """A deployment's (or a test process's) override from the environment."""
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() else default


# A task is due this long after the completion event's `at` (FIELDSYNC_CALLBACK_DELAY_MIN).
DELAY_MS = _env_int("FIELDSYNC_CALLBACK_DELAY_MIN", 24 * 60) * 60_000
RETRY_MS = 2 * HOUR_MS             # an unreachable customer is tried again after this
MAX_ATTEMPTS = 3                   # … at most this many times, then the task is closed unreachable
LOW_SCORE = 60                     # a score below this is unsatisfied and opens a complaint

# Share of completed orders called back, per order type (percent); other types: DEFAULT_RATE.
# FIELDSYNC_CALLBACK_SAMPLE_PCT sets one share for every type (100: call everyone back).
SAMPLING_PCT = {"repair": 80, "install": 50, "maintenance": 30, "inspection": 30}
if os.environ.get("FIELDSYNC_CALLBACK_SAMPLE_PCT", "").strip().isdigit():
    SAMPLING_PCT = {t: min(100, _env_int("FIELDSYNC_CALLBACK_SAMPLE_PCT", 0)) for t in SAMPLING_PCT}
DEFAULT_RATE = 0

# closed_reason written on the order when the callback (or the lack of one) closes it.
CLOSE_REASON = {
    CallbackResult.SATISFIED: "回访满意",
    CallbackResult.UNSATISFIED: "回访不满意",
    CallbackResult.UNREACHABLE: "回访未接通，按规定关闭",
}
NOT_SAMPLED_REASON = "未抽样回访，按规定关闭"
# Asked when the order's type has no active survey template.
FALLBACK_QUESTIONS = ("对本次服务满意度 (1-5)",)


class TaskStatus(StrEnum):
    OPEN = "open"                  # due (or waiting for the next attempt)
    DONE = "done"                  # answered
    UNREACHABLE = "unreachable"    # MAX_ATTEMPTS without reaching the customer


class QuestionKind(StrEnum):
    YES_NO = "yes_no"
    SCALE = "scale"


YES, NO = "yes", "no"
_SCALE = re.compile(r"[(（]\s*(\d+)\s*[-–~～]\s*(\d+)\s*[)）]\s*$")


@dataclass(frozen=True)
class Question:
    text: str
    kind: str
    lo: int = 1
    hi: int = 5

    def valid(self, answer) -> bool:
        if self.kind == QuestionKind.YES_NO:
            return answer in (YES, NO)
        return isinstance(answer, int) and not isinstance(answer, bool) and self.lo <= answer <= self.hi

    def points(self, answer) -> float:
        if self.kind == QuestionKind.YES_NO:
            return 100.0 if answer == YES else 0.0
        return (answer - self.lo) * 100 / (self.hi - self.lo)


def question(item, lang: str = "zh") -> Question:
    """One template item (string or dict) as a Question, its text in `lang` when the
    item (or shared/labels.py) has that language; the kind is read from the Chinese."""
    if isinstance(item, dict):
        text = str(item.get("text") or "")
        if lang == "en":
            text = str(item.get("en") or "").strip() or label("survey_question", text, lang)
        if item.get("kind") == QuestionKind.SCALE:
            lo, hi = int(item.get("min", 1)), int(item.get("max", 5))
            return Question(text, QuestionKind.SCALE, lo, max(hi, lo + 1))
        return Question(text, QuestionKind.YES_NO)
    text = str(item)
    shown = label("survey_question", text, lang)
    m = _SCALE.search(text)
    if m and int(m.group(2)) > int(m.group(1)):
        return Question(shown, QuestionKind.SCALE, int(m.group(1)), int(m.group(2)))
    return Question(shown, QuestionKind.YES_NO)


def questions(items, lang: str = "zh") -> list[Question]:
    return [question(i, lang) for i in (items or [])]


def score(qs: list[Question], answers: list) -> int:
    """0–100 from valid answers (callers validate first)."""
    if not qs:
        return 100
    mean = sum(q.points(a) for q, a in zip(qs, answers, strict=True)) / len(qs)
    return int(mean + 0.5)


# The summary of the complaint a low score opens: stored in Chinese (the record's language),
# shown in the reader's by `summary_in`, which recognises the stored form.
_LOW_SUMMARY = re.compile(r"^回访低分（(\d+)分）：工单(\S*?)(?:；(.*))?$", re.S)


def low_score_summary(score_: int, number: str, note: str = "") -> str:
    return f"回访低分（{score_}分）：工单{number}" + (f"；{note}" if note else "")


def summary_in(summary: str, lang: str) -> str:
    """A complaint summary as `lang`'s reader sees it: a low-score summary written by
    `low_score_summary` in English for English (the agent's note stays as typed)."""
    m = _LOW_SUMMARY.match(summary or "") if lang == "en" else None
    if m is None:
        return summary
    text = f"Low callback score ({m.group(1)}): order {m.group(2)}"
    return text + (f"; {m.group(3)}" if m.group(3) else "")


def result_of(score_: int) -> str:
    return CallbackResult.UNSATISFIED if score_ < LOW_SCORE else CallbackResult.SATISFIED


def sampled(order_id: str, order_type: str | None, pct: int | None = None) -> bool:
    """Is this order called back? Decided by its id alone (a stable hash), so re-running
    the job never changes its mind. `pct`: the type's share as HQ set it (the hub's
    hub/services/hq_settings.py), else SAMPLING_PCT's."""
    if pct is None:
        pct = SAMPLING_PCT.get(order_type or "", DEFAULT_RATE)
    bucket = int.from_bytes(hashlib.sha256(f"callback:{order_id}".encode()).digest()[:4], "big") % 100
    return bucket < pct
