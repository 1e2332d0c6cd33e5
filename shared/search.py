"""Offline full-text search over Chinese text, model numbers and fault codes.

SQLite's tokenizers do not split Chinese into words, and FTS5's `trigram` needs three
characters, so "漏水" or "E4" would find nothing. We tokenize ourselves and hand FTS5 a
space-separated token string (indexed with `unicode61`):

- a run of Chinese characters becomes its overlapping bigrams plus its last character
  (室内机漏水 → 室内 内机 机漏 漏水 水), so any two-character word matches and a single
  character still matches as a prefix;
- a run of letters and digits joined by - _ . / becomes its lower-cased parts and, when
  there are several, their concatenation (KFR-35GW → kfr 35gw kfr35gw), so a model number
  matches typed with or without its hyphen.

A query is tokenized the same way: each run becomes a phrase (its tokens adjacent) and the
phrases are ANDed. A model number's last part matches as a prefix (BCD-470 finds BCD-470W),
but a short single word like the fault code E4 matches exactly (not E41). A nameplate code
typed with its separators elsewhere or none (KFR35GW/BpR3, kfr-35gwbpr3, KFR35GWBPR3) also
matches as the prefix of the code's concatenation (kfr35gwbpr3), which the index holds.

Synonyms (HQ's `kb_synonyms` groups, `synonym_map`): a word of a group inside the query —
a whole Latin run, or a piece of a Chinese run (空调制冷差 → 空调 + 制冷差) — matches any
word of its group (制冷差 OR 不制冷); the rest of the run stays a phrase of its own."""
import re

VERSION = 1  # bump when tokenization changes: the node rebuilds its index

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"([{_CJK}]+)|([A-Za-z0-9]+(?:[-_./][A-Za-z0-9]+)*)")
_SEP = re.compile(r"[-_./]")
PREFIX_MIN = 3


def _runs(text: str):
    for m in _RUN.finditer(text or ""):
        if m.group(1):
            yield "cjk", m.group(1)
        else:
            yield "word", m.group(2).lower()


def index_tokens(text: str) -> str:
    """The token string to store in the FTS index for `text`."""
    out: list[str] = []
    for kind, run in _runs(text):
        if kind == "cjk":
            out += [run[i:i + 2] for i in range(len(run) - 1)]
            out.append(run[-1])
        else:
            parts = [p for p in _SEP.split(run) if p]
            out += parts
            if len(parts) > 1:
                out.append("".join(parts))
    return " ".join(out)


def is_searchable(text: str) -> bool:
    """Does `text` hold anything the index keeps (Chinese, letters, digits)?"""
    return _RUN.search(text or "") is not None


def query_terms(text: str) -> list[str]:
    """The runs of a query, as the words a result's snippet can highlight."""
    return [run for _, run in _runs(text)]


Phrase = tuple[list[str], bool]  # tokens that must be adjacent, whether the last is a prefix
Synonyms = dict[str, tuple[str, ...]]  # a word (lower case) -> every word of its groups


def synonym_map(groups) -> Synonyms:
    """The lookup the query side uses, from HQ's groups (lists of words); a word in several
    groups matches the words of all of them."""
    out: dict[str, set[str]] = {}
    for group in groups:
        words = {w.strip() for w in group if isinstance(w, str) and w.strip() and _RUN.search(w)}
        if len(words) < 2:
            continue
        for w in words:
            out.setdefault(w.lower(), set()).update(words)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _cjk_phrase(run: str) -> Phrase:
    if len(run) == 1:
        return [run], True
    return [run[i:i + 2] for i in range(len(run) - 1)], False


def _word_alternatives(run: str) -> list[Phrase]:
    parts = [p for p in _SEP.split(run) if p]
    alts = [(parts, len(parts) > 1 or len(parts[0]) >= PREFIX_MIN)]
    if len(parts) > 1:  # separators placed otherwise, or none: the concatenation's prefix
        alts.append((["".join(parts)], True))
    return alts


def _term_phrase(term: str) -> Phrase:
    """A synonym as one phrase (its runs' tokens adjacent, nothing a prefix)."""
    tokens: list[str] = []
    for kind, run in _runs(term):
        tokens += _cjk_phrase(run)[0] if kind == "cjk" else [p for p in _SEP.split(run) if p]
    return tokens, False


def _split_cjk(run: str, synonyms: Synonyms) -> list[list[Phrase]]:
    """A Chinese run as its groups: each synonym found in it (the longest at each place)
    matches any word of its group, the pieces between stay phrases."""
    terms = sorted((t for t in synonyms if _RUN.fullmatch(t) and not t.isascii()), key=len, reverse=True)
    groups: list[list[Phrase]] = []
    start = i = 0
    while i < len(run):
        term = next((t for t in terms if run.startswith(t, i)), None)
        if term is None:
            i += 1
            continue
        if i > start:
            groups.append([_cjk_phrase(run[start:i])])
        groups.append([_term_phrase(w) for w in synonyms[term]])
        i = start = i + len(term)
    if start < len(run):
        groups.append([_cjk_phrase(run[start:])])
    return groups


def _phrases(text: str, synonyms: Synonyms | None = None) -> list[list[Phrase]]:
    """The query's groups: every group must match, by any one of its phrases."""
    groups: list[list[Phrase]] = []
    for kind, run in _runs(text):
        if kind == "cjk":
            groups += _split_cjk(run, synonyms) if synonyms else [[_cjk_phrase(run)]]
        elif synonyms and run in synonyms:
            groups.append([_term_phrase(w) for w in synonyms[run]])
        else:
            groups.append(_word_alternatives(run))
    return groups


def _fts_phrase(phrase: Phrase) -> str:
    tokens, prefix = phrase
    return '"' + " ".join(tokens) + '"' + ("*" if prefix else "")


def match_expression(text: str, synonyms: Synonyms | None = None) -> str | None:
    """An FTS5 MATCH expression for a typed query; None when it has nothing searchable."""
    groups = []
    for alts in _phrases(text, synonyms):
        unique = list(dict.fromkeys(_fts_phrase(p) for p in alts))
        groups.append(unique[0] if len(unique) == 1 else "(" + " OR ".join(unique) + ")")
    return " AND ".join(groups) if groups else None


# The same search on PostgreSQL (HQ's hub on PostgreSQL): its text parser cannot split
# Chinese either, so the index holds our tokens as a `tsvector` written out here (title,
# keys and body weighted A, B and D, as FTS5's column weights rank them) and the query is a
# `tsquery` of the same phrases (<-> for adjacent tokens, :* for a prefix).
PG_MAX_POSITION = 16383  # PostgreSQL's largest lexeme position


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def pg_document(title: str, body: str, keys: str) -> str:
    """A `tsvector` literal of an article's tokens with positions and column weights; the
    columns are kept apart by a gap so that a phrase never spans two of them."""
    positions: dict[str, list[str]] = {}
    at = 0
    for text, weight in ((title, "A"), (keys, "B"), (body, "")):
        for token in index_tokens(text).split():
            at = min(at + 1, PG_MAX_POSITION)
            positions.setdefault(token, []).append(f"{at}{weight}")
        at = min(at + 100, PG_MAX_POSITION)
    return " ".join(f"{_lexeme(t)}:{','.join(p)}" for t, p in positions.items())


def pg_query(text: str, synonyms: Synonyms | None = None) -> str | None:
    """A `tsquery` literal for a typed query (what `match_expression` is to FTS5)."""
    groups = []
    for alts in _phrases(text, synonyms):
        phrases = []
        for tokens, prefix in alts:
            words = [_lexeme(t) for t in tokens]
            if prefix:
                words[-1] += ":*"
            phrases.append("(" + " <-> ".join(words) + ")")
        groups.append(phrases[0] if len(phrases) == 1 else "(" + " | ".join(phrases) + ")")
    return " & ".join(groups) if groups else None


SNIPPET_BEFORE, SNIPPET_AFTER = 20, 60  # characters shown before and after the first hit


def snippet(body: str, terms: list[str]) -> str:
    """A short piece of the body around the first query term found in it."""
    text = " ".join((body or "").split())
    lower = text.lower()
    pos = -1
    for term in terms:
        candidates = [term.lower()] + ([term[i:i + 2] for i in range(len(term) - 1)] if len(term) > 2 else [])
        pos = next((p for p in (lower.find(c) for c in candidates) if p >= 0), -1)
        if pos >= 0:
            break
    start = max(0, pos - SNIPPET_BEFORE) if pos >= 0 else 0
    end = start + SNIPPET_BEFORE + SNIPPET_AFTER
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
