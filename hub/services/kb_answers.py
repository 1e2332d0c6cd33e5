"""Answering a caller from the knowledge base at HQ: full-text search over kb_articles'
title, body, tags, fault codes, models and category, with the node's tokenizer
(shared/search.py), so an agent and a technician find the same articles for 漏水 or E4.
The index is hub-only (hq_kb_*): triggers note every article that changes, however it is
written (the admin's KB management, the demo data), and the next search re-indexes just
those. Managing articles is the admin's screen; this module only reads them.

An agent reads answers out to customers: only articles whose audience includes HQ's agents
(`AUDIENCE`) are indexed, found, opened or cited in a consult — a technician's repair
procedure is not read aloud to a caller (issue #15 item 9)."""
import json
from dataclasses import dataclass

from shared import search
from shared.roles import HqWork, Role
from sync.schema import is_postgres


AUDIENCE = Role.HQ_AGENT  # the articles an agent may read to a caller have it in their audience
WEIGHTS = (5.0, 1.0, 3.0)  # bm25: title, body, keys
PG_WEIGHTS = "{0.2,0.2,0.6,1.0}"  # ts_rank's D (body), C, B (keys), A (title): the same ratios

DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS hq_kb_fts USING fts5(title, body, keys, "
    "tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TABLE IF NOT EXISTS hq_kb_map (article_id TEXT PRIMARY KEY, fts_rowid INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS hq_kb_dirty (article_id TEXT PRIMARY KEY)",
    *(f"CREATE TRIGGER IF NOT EXISTS hq_kb_dirty_{e.lower()} AFTER {e} ON kb_articles "
      "BEGIN INSERT OR IGNORE INTO hq_kb_dirty (article_id) VALUES (new.id); END" for e in ("INSERT", "UPDATE")),
    # Articles written before the index existed (or while it was dropped) are indexed too.
    "INSERT OR IGNORE INTO hq_kb_dirty (article_id) SELECT id FROM kb_articles "
    "WHERE id NOT IN (SELECT article_id FROM hq_kb_map)",
)

# The index is derived from kb_articles: a hub moved to another store leaves these tables
# behind and indexes every article again at its first search (hub/move.py, `reindex_all`).
INDEX_TABLES = ("hq_kb_fts", "hq_kb_map")


def reindex_all(c) -> None:
    """Every article is indexed again at the next search (`INDEX_TABLES` are empty)."""
    c.execute("INSERT OR IGNORE INTO hq_kb_dirty (article_id) SELECT id FROM kb_articles")


@dataclass(frozen=True)
class KbHit:
    id: str
    title: str
    category: str
    snippet: str
    fault_codes: list[str]


def _list(value) -> list[str]:
    try:
        items = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        items = [value]
    items = items if isinstance(items, list) else ([items] if items else [])
    return [str(i) for i in items if i is not None]


def for_agents(article: dict) -> bool:
    """Published, and written for HQ's agents (the audience a caller may hear)."""
    return article.get("active") not in (0, False) and str(AUDIENCE) in _list(article.get("audience"))


def _model_words(ctx, ids: list[str]) -> list[str]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return [r["code"] or "" for r in ctx.query(f"SELECT code FROM product_models WHERE id IN ({marks})", ids)]


class KbAnswers:
    def __init__(self, ctx):
        self.ctx = ctx

    def refresh(self) -> int:
        """Re-index the articles that changed since the last search; returns how many."""
        ctx = self.ctx
        if ctx.scalar("SELECT 1 FROM hq_kb_dirty LIMIT 1") is None:
            return 0
        with ctx.tx() as c:
            ids = [r[0] for r in c.execute("SELECT article_id FROM hq_kb_dirty")]
            for aid in ids:
                old = c.execute("SELECT fts_rowid FROM hq_kb_map WHERE article_id = ?", (aid,)).fetchone()
                if old:
                    c.execute("DELETE FROM hq_kb_fts WHERE rowid = ?", (old[0],))
                    c.execute("DELETE FROM hq_kb_map WHERE article_id = ?", (aid,))
                a = ctx.row("kb_articles", aid)
                if a is None or not for_agents(a):
                    continue
                keys = " ".join(_list(a.get("tags")) + _list(a.get("fault_codes"))
                                + _model_words(ctx, _list(a.get("models"))) + [a.get("category") or ""])
                title, body = a.get("title") or "", a.get("body") or ""
                texts = (search.index_tokens(title), search.index_tokens(body), search.index_tokens(keys))
                if is_postgres(c):  # our tokens as a tsvector (shared/search.py pg_document)
                    rowid = c.execute("INSERT INTO hq_kb_fts (title, body, keys, tsv) VALUES (?, ?, ?, "
                                      "CAST(? AS tsvector)) RETURNING rowid",
                                      (*texts, search.pg_document(title, body, keys))).fetchone()[0]
                else:
                    rowid = c.execute("INSERT INTO hq_kb_fts (title, body, keys) VALUES (?, ?, ?)", texts).lastrowid
                c.execute("INSERT INTO hq_kb_map (article_id, fts_rowid) VALUES (?, ?)", (aid, rowid))
            c.execute("DELETE FROM hq_kb_dirty")
        return len(ids)

    def search(self, session, query: str, limit: int = 10) -> list[KbHit]:
        """Best matches first; an empty query finds nothing (an agent searches for words)."""
        self.ctx.allow(session, HqWork.INTAKE)
        self.refresh()
        synonyms = search.synonym_map(_list(r["terms"]) for r in self.ctx.query(
            "SELECT terms FROM kb_synonyms WHERE COALESCE(active, 1) != 0"))  # as the nodes' search
        if self.ctx.hub.dialect == "postgres":
            expr = search.pg_query(query or "", synonyms)
            hits = ("SELECT rowid AS fts_id, -ts_rank(CAST(? AS real[]), tsv, q) AS score FROM hq_kb_fts, "
                    "CAST(? AS tsquery) q WHERE tsv @@ q ORDER BY score, rowid LIMIT ?")
            params: tuple = (PG_WEIGHTS, expr, limit)
        else:
            expr = search.match_expression(query or "", synonyms)
            hits = (f"SELECT rowid AS fts_id, bm25(hq_kb_fts, {', '.join(map(str, WEIGHTS))}) AS score "
                    "FROM hq_kb_fts WHERE hq_kb_fts MATCH ? ORDER BY score LIMIT ?")
            params = (expr, limit)
        if expr is None:
            return []
        rows = self.ctx.query(
            f"SELECT a.* FROM ({hits}) hit JOIN hq_kb_map m ON m.fts_rowid = hit.fts_id "
            "JOIN kb_articles a ON a.id = m.article_id ORDER BY hit.score", params)
        terms = search.query_terms(query or "")
        return [KbHit(r["id"], r["title"] or "", r["category"] or "", search.snippet(r["body"], terms),
                      _list(r["fault_codes"]))
                for r in rows if for_agents(r)]  # an index made before the audience rule holds others too

    def article(self, article_id: str) -> dict | None:
        """A published article for HQ's agents; None for any other (not found, to them)."""
        a = self.ctx.row("kb_articles", article_id)
        return a if a is not None and for_agents(a) else None
