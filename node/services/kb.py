"""Knowledge-base search that works offline: SQLite FTS5 over our own tokens
(shared/search.py: Chinese bigrams, model numbers, fault codes). The index is node-local
and follows kb_articles: triggers (schema.py) note every article that changes, however it
arrives, and the next search re-indexes just those before it runs."""
import json
from dataclasses import dataclass

from shared import search
from shared.labels import pair

from node.services.errors import ServiceError
from node.services.session import Session

# bm25 weights of the indexed columns: title, body, keys (tags, fault codes, models).
WEIGHTS = (5.0, 1.0, 3.0)


@dataclass(frozen=True, slots=True)
class KbHit:
    id: str
    title: str
    category: str
    snippet: str
    fault_codes: tuple[str, ...]
    models: tuple[str, ...]
    updated_at: int | None


@dataclass(frozen=True, slots=True)
class KbArticle:
    id: str
    title: str
    category: str
    body: str
    tags: tuple[str, ...]
    fault_codes: tuple[str, ...]
    models: tuple[str, ...]
    updated_at: int | None


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
                    keys = " ".join(_list(a.get("tags")) + _list(a.get("fault_codes")) + _list(a.get("models"))
                                    + [a.get("category") or ""])
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
        expr = search.match_expression(query or "")
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
        terms = search.query_terms(query or "")
        return tuple(KbHit(r["id"], r["title"] or "", r["category"] or "", search.snippet(r["body"], terms),
                           tuple(_list(r["fault_codes"])), tuple(_list(r["models"])), r["updated_at"]) for r in rows)

    def article(self, session: Session, article_id: str) -> KbArticle:
        r = self.ctx.one("SELECT * FROM kb_articles WHERE id = ?", (article_id,))
        if r is None or r.get("active") == 0 or not _shown_to(r.get("audience"), session.role):
            raise ServiceError.of("not_found", thing=pair("table", "kb_articles"))
        return KbArticle(r["id"], r["title"] or "", r["category"] or "", r["body"] or "", tuple(_list(r["tags"])),
                         tuple(_list(r["fault_codes"])), tuple(_list(r["models"])), r["updated_at"])
