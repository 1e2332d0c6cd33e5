"""Knowledge-base search that works offline: SQLite FTS5 over our own tokens
(shared/search.py: Chinese bigrams, model numbers, fault codes, HQ's synonym groups). The
index is node-local and follows kb_articles: triggers (schema.py) note every article that
changes, however it arrives, and the next search re-indexes just those before it runs.

An article names its models by code or by id (HQ's admin keeps what it was given) and its
fault codes by code: the index holds the models' codes and the faults' names too, so
either is found, and what the screens get are names only — a model's code, a fault code
with its name, a category's name — never an id. `for_order` lists the articles for an
order's model and fault code, both first."""
import json
import re
from dataclasses import dataclass

from shared import search
from shared.labels import heading, pair
from shared.search import Synonyms

from node.services import guards
from node.services.errors import ServiceError
from node.services.session import Session

# bm25 weights of the indexed columns: title, body, keys (tags, fault codes, models).
WEIGHTS = (5.0, 1.0, 3.0)


@dataclass(frozen=True, slots=True)
class KbHit:
    id: str
    title: str
    category: str            # the category's name (空调), not its code
    snippet: str
    fault_codes: tuple[str, ...]
    models: tuple[str, ...]  # model codes, also for a model the article names by id
    updated_at: int | None
    faults: tuple[str, ...] = ()  # each fault code with its name: "E21 排水超时"


@dataclass(frozen=True, slots=True)
class KbArticle:
    id: str
    title: str
    category: str            # the category's name
    body: str
    tags: tuple[str, ...]
    fault_codes: tuple[str, ...]
    models: tuple[str, ...]  # model codes
    updated_at: int | None
    faults: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OrderArticles:
    """The articles for an order's model and fault code: those for both first, then those
    for its fault code, then those for its model."""
    number: str
    model: str               # the model's code ("" when the order names none)
    fault: str               # the fault code with its name ("" when none)
    hits: tuple[KbHit, ...]
    both: int                # how many of `hits` are for the model and the fault code


def model_key(code: str | None) -> str:
    """A model code as typed anywhere: lower case, no separators (KFR-35GW/BpR3 → kfr35gwbpr3)."""
    return re.sub(r"[^0-9a-z]", "", (code or "").lower())


class _Names:
    """The reference data an article's names come from, read once per call."""

    def __init__(self, ctx, lang: str = "zh"):
        self.models = {r[0]: r[1] for r in ctx.tuples("SELECT id, code FROM product_models WHERE code IS NOT NULL")}
        self.faults: dict[tuple[str, str], str] = {}
        for cat, code, zh, en in ctx.tuples("SELECT category, code, name, name_en FROM fault_codes "
                                            "WHERE COALESCE(active, 1) != 0"):
            name = (en or zh) if lang == "en" else (zh or en)
            self.faults.setdefault((cat or "", (code or "").upper()), name or "")
        self.categories = {r[0]: (r[2] or r[1]) if lang == "en" else (r[1] or r[2]) for r in ctx.tuples(
            "SELECT code, name, name_en FROM product_categories WHERE code IS NOT NULL")}
        self.lang = lang

    def model_codes(self, models) -> list[str]:
        return [self.models.get(m, m) for m in _list(models)]

    def fault_names(self, category: str | None, codes) -> list[str]:
        return [n for n in (self.faults.get((category or "", c.upper())) for c in _list(codes)) if n]

    def faults_shown(self, category: str | None, codes) -> tuple[str, ...]:
        out = []
        for c in _list(codes):
            name = self.faults.get((category or "", c.upper()))
            out.append(f"{c} {name}" if name else c)
        return tuple(out)

    def category(self, code: str | None) -> str:
        if not code:
            return ""
        return self.categories.get(code) or heading("product_category", code, self.lang)


def _list(value) -> list[str]:
    try:
        items = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        items = [value]
    if not isinstance(items, list):
        items = [items] if items else []
    return [str(i) for i in items if i is not None]


# An article without an audience is for everyone; else only for the roles it lists.
_FOR_ROLE = (" AND (a.audience IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(a.audience))"
             " OR EXISTS (SELECT 1 FROM json_each(a.audience) WHERE value = ?))")


def _audience(value) -> str:
    """The roles an article is for, as the index keeps them (" technician clerk "); ""
    for an article without an audience, which every role sees."""
    roles = _list(value)
    return f" {' '.join(roles)} " if roles else ""


def _shown_to(value, role: str) -> bool:
    roles = _list(value)
    return not roles or role in roles


class KnowledgeBase:
    def __init__(self, ctx):
        self.ctx = ctx

    def refresh(self) -> int:
        """Re-index the articles that changed since the last search; returns how many."""
        if self.ctx.scalar("SELECT 1 FROM _kb_dirty LIMIT 1") is None:
            return 0
        done = 0
        names = _Names(self.ctx)
        with self.ctx.store.tx() as c:
            ids = [r[0] for r in c.execute("SELECT article_id FROM _kb_dirty")]
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                marks = ",".join("?" * len(chunk))
                articles = {r["id"]: r
                            for r in self.ctx.query(f"SELECT * FROM kb_articles WHERE id IN ({marks})", chunk)}
                old = dict(c.execute(f"SELECT article_id, fts_rowid FROM _kb_map WHERE article_id IN ({marks})", chunk))
                c.executemany("DELETE FROM _kb_fts WHERE rowid = ?", [(r,) for r in old.values()])
                c.execute(f"DELETE FROM _kb_map WHERE article_id IN ({marks})", chunk)
                for aid in chunk:
                    a = articles.get(aid)
                    if a is None or a.get("active") == 0:
                        continue
                    cat = a.get("category")
                    keys = " ".join(_list(a.get("tags")) + _list(a.get("fault_codes"))
                                    + names.fault_names(cat, a.get("fault_codes")) + names.model_codes(a.get("models"))
                                    + [cat or "", names.category(cat)])
                    cur = c.execute("INSERT INTO _kb_fts (title, body, keys, category, audience) "
                                    "VALUES (?, ?, ?, ?, ?)",
                                    (search.index_tokens(a.get("title") or ""),
                                     search.index_tokens(a.get("body") or ""),
                                     search.index_tokens(keys), a.get("category"), _audience(a.get("audience"))))
                    c.execute("INSERT INTO _kb_map (article_id, fts_rowid) VALUES (?, ?)", (aid, cur.lastrowid))
                c.execute(f"DELETE FROM _kb_dirty WHERE article_id IN ({marks})", chunk)
                done += len(chunk)
        return done

    def search(self, session: Session, query: str, category: str | None = None, limit: int = 20) -> tuple[KbHit, ...]:
        """Best matches first; an empty query lists the newest articles."""
        self.refresh()
        expr = search.match_expression(query or "", self.synonyms())
        cat = " AND a.category = ?" if category else ""
        fts_cat = " AND category = ?" if category else ""
        params = [category] if category else []
        role = f" {session.role} "  # as _audience() keeps it in the index
        if expr is None:
            if (query or "").strip():
                return ()
            rows = self.ctx.query("SELECT a.* FROM kb_articles a WHERE COALESCE(a.active, 1) != 0" + cat + _FOR_ROLE +
                                  " ORDER BY a.updated_at DESC LIMIT ?", (*params, session.role, limit))
        else:
            # Rank inside FTS5 first and join only the best rows: ranking a common word's
            # thousands of matches is cheap, joining all of them before sorting is not.
            rows = self.ctx.query(
                f"SELECT a.* FROM (SELECT rowid, bm25(_kb_fts, {', '.join(map(str, WEIGHTS))}) AS score "
                f"FROM _kb_fts WHERE _kb_fts MATCH ?{fts_cat} AND (audience = '' OR instr(audience, ?) > 0)"
                " ORDER BY score LIMIT ?) hit "
                "JOIN _kb_map m ON m.fts_rowid = hit.rowid JOIN kb_articles a ON a.id = m.article_id "
                "ORDER BY hit.score", (expr, *params, role, limit))
        names = _Names(self.ctx, session.lang)
        return tuple(self._hit(r, names, search.query_terms(query or "")) for r in rows)

    def synonyms(self) -> Synonyms:
        """HQ's synonym groups in force (kb_synonyms, replicated)."""
        return search.synonym_map(_list(r[0]) for r in self.ctx.tuples(
            "SELECT terms FROM kb_synonyms WHERE COALESCE(active, 1) != 0"))

    def for_order(self, session: Session, order_id: str, limit: int = 20) -> OrderArticles:
        """The articles for the order's model and fault code (the index's keys: an article's
        models by code, its fault codes), in the model's category when it has one."""
        order = guards.own_row(self.ctx, "service_orders", order_id)
        model = self.ctx.one("SELECT id, code, category FROM product_models WHERE id = ?",
                             (order.get("product_model_id") or "",)) or {}
        code, fault = model_key(model.get("code")), (order.get("fault_code") or "").strip().upper()
        names = _Names(self.ctx, session.lang)
        category = model.get("category")
        fault_shown = names.faults_shown(category, [fault])[0] if fault else ""
        keys = [f'"{t}"' for t in (code, search.index_tokens(fault).replace(" ", "")) if t]
        if not keys:
            return OrderArticles(order.get("number") or "", model.get("code") or "", fault_shown, (), 0)
        self.refresh()
        cat = " AND category = ?" if category else ""
        rows = self.ctx.query(
            f"SELECT a.*, hit.score FROM (SELECT rowid, bm25(_kb_fts, {', '.join(map(str, WEIGHTS))}) AS score "
            f"FROM _kb_fts WHERE _kb_fts MATCH ?{cat} AND (audience = '' OR instr(audience, ?) > 0)"
            " ORDER BY score LIMIT 500) hit "
            "JOIN _kb_map m ON m.fts_rowid = hit.rowid JOIN kb_articles a ON a.id = m.article_id",
            (f"keys : ({' OR '.join(keys)})", *([category] if category else []), f" {session.role} "))
        ranked = []
        for r in rows:
            for_model = model.get("id") in _list(r["models"]) or code in {
                model_key(m) for m in names.model_codes(r["models"])}
            for_fault = bool(fault) and fault in {c.upper() for c in _list(r["fault_codes"])}
            if for_model or for_fault:
                ranked.append(((not (for_model and for_fault), not for_fault, r["score"]), r, for_model and for_fault))
        ranked.sort(key=lambda x: x[0])
        terms = [t for t in (model.get("code"), fault) if t]
        hits = tuple(self._hit(r, names, terms) for _, r, _ in ranked[:limit])
        return OrderArticles(order.get("number") or "", model.get("code") or "", fault_shown, hits,
                             sum(1 for _, _, both in ranked[:limit] if both))

    def article(self, session: Session, article_id: str) -> KbArticle:
        r = self.ctx.one("SELECT * FROM kb_articles WHERE id = ?", (article_id,))
        if r is None or r.get("active") == 0 or not _shown_to(r.get("audience"), session.role):
            raise ServiceError.of("not_found", thing=pair("table", "kb_articles"))
        names = _Names(self.ctx, session.lang)
        return KbArticle(r["id"], r["title"] or "", names.category(r["category"]), r["body"] or "",
                         tuple(_list(r["tags"])), tuple(_list(r["fault_codes"])),
                         tuple(names.model_codes(r["models"])), r["updated_at"],
                         names.faults_shown(r["category"], r["fault_codes"]))

    @staticmethod
    def _hit(r: dict, names: _Names, terms: list[str]) -> KbHit:
        return KbHit(r["id"], r["title"] or "", names.category(r["category"]), search.snippet(r["body"], terms),
                     tuple(_list(r["fault_codes"])), tuple(names.model_codes(r["models"])), r["updated_at"],
                     names.faults_shown(r["category"], r["fault_codes"]))
