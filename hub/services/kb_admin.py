"""Knowledge-base maintenance at HQ: articles (title, category, body, tags, fault codes,
models, audience by role), publish / unpublish, and categories. Articles are replicated
reference data (global bucket): an approved edit reaches every node at its next pull, and
the node's search shows an article only to the roles in its `audience`. What an admin
saves is a draft until another admin approves it (hub/services/kb_review.py).

Categories are not a table of their own: a category is the `category` text its articles
carry — exactly what the nodes receive — so there is one source of truth. Product
category codes (AC, WM, …) read as their names from the shared vocabulary; a new
category is made by giving an article one; renaming rewrites every article of it.

Synonym groups (`kb_synonyms`, replicated like the articles): words a technician types for
the same thing (滴水 / 漏水, 制冷差 / 不制冷). The nodes' search finds any word of a group by
every other (shared/search.py); a group is removed by switching it off, as every record is."""
import dataclasses
import json
import uuid
from dataclasses import dataclass

from shared.errors import ServiceError
from shared.labels import label, pair
from shared.roles import HqWork, Role
from shared.search import is_searchable

from hub.services.admin_network import category_name
from hub.services.admin_values import decoded, refuse, text, text_list
from hub.services.kb_review import KbDraft, KbReview
from hub.services.session import HubSession

ROLES = tuple(str(r) for r in Role)
MAX_BODY = 20_000
MAX_TERM = 20  # characters of a synonym
MAX_TERMS = 12  # words in one group


@dataclass(frozen=True, slots=True)
class KbSynonyms:
    id: str
    terms: tuple[str, ...]
    updated_at: int | None


@dataclass(frozen=True, slots=True)
class KbCategory:
    code: str                       # the text the articles carry
    name: str                       # a product category's name, else the code
    articles: int


@dataclass(frozen=True, slots=True)
class KbArticle:
    id: str
    title: str
    category: str
    category_name: str
    body: str
    tags: tuple[str, ...]
    fault_codes: tuple[str, ...]
    models: tuple[str, ...]         # as given: model codes or ids
    model_codes: tuple[str, ...]    # the same, ids read as their codes
    audience: tuple[str, ...]       # roles
    audience_labels: tuple[str, ...]
    active: bool
    updated_at: int | None
    draft: KbDraft | None = None    # the article as its draft has it (not published as such)


def _put(row_id: str, fields: dict, table: str = "kb_articles") -> dict:
    return {"op": "put", "table": table, "id": row_id, "fields": fields}


def _filter(query: str, category: str | None, published_only: bool) -> tuple[str, list]:
    """The WHERE clause (with its leading space, or empty) and parameters of a list or count."""
    where, params = [], []
    for word in (query or "").split():
        where.append("(title LIKE ? OR body LIKE ? OR tags LIKE ? OR fault_codes LIKE ? OR models LIKE ?)")
        params += [f"%{word}%"] * 5
    if category:
        where.append("category = ?")
        params.append(category)
    if published_only:
        where.append("COALESCE(active, 1) != 0")
    return (" WHERE " + " AND ".join(where) if where else ""), params


class KbAdmin:
    def __init__(self, ctx):
        self.ctx = ctx
        self.review = KbReview(ctx)

    # ---- categories ----

    def categories(self, session: HubSession) -> list[KbCategory]:
        """Each category with its article count, by code, named in the session's language."""
        self.ctx.allow(session, HqWork.KB_MANAGE)
        return [KbCategory(r["code"], category_name(r["code"], session.lang), r["articles"])
                for r in self.ctx.query(
            "SELECT category AS code, COUNT(*) AS articles"
            " FROM kb_articles WHERE COALESCE(category, '') != '' GROUP BY category ORDER BY category")]

    def rename_category(self, session: HubSession, old: str, new: str) -> int:
        """Move every article of `old` to `new` (a new name, or an existing category to
        merge into); returns how many articles moved."""
        ctx = self.ctx
        ctx.allow(session, HqWork.KB_MANAGE)
        new = text(new, "kb_category", required=True, max_len=40)
        if new == old:
            raise ServiceError.of("same_category", field="kb_category")
        ids = [r["id"] for r in ctx.query("SELECT id FROM kb_articles WHERE category = ?", (old,))]
        if not ids:
            raise ServiceError.of("not_found", thing=pair("hq_rule", "kb_category"))
        now = ctx.now()
        with ctx.tx():
            ctx.write(session, [_put(i, {"category": new, "updated_at": now}) for i in ids])
            ctx.audit(session, "kb_category_renamed", old, f"{old} -> {new} ({len(ids)})")
        return len(ids)

    # ---- articles ----

    def articles(self, session: HubSession, query: str = "", category: str | None = None,
                 *, published_only: bool = False, limit: int = 200) -> list[KbArticle]:
        """The first `limit` articles matching every word of `query` in title, body, tags,
        fault codes or models; newest change first. `count` with the same filter is how
        many there are in all."""
        self.ctx.allow(session, HqWork.KB_MANAGE)
        where, params = _filter(query, category, published_only)
        rows = self.ctx.query(f"SELECT * FROM kb_articles{where} ORDER BY updated_at DESC, title LIMIT ?",
                              (*params, limit))
        return [self._row(r, session.lang) for r in rows]

    def count(self, session: HubSession, query: str = "", category: str | None = None,
              *, published_only: bool = False) -> int:
        """How many articles match (`articles`' filter), however many the list shows."""
        self.ctx.allow(session, HqWork.KB_MANAGE)
        where, params = _filter(query, category, published_only)
        return self.ctx.scalar(f"SELECT COUNT(*) FROM kb_articles{where}", params)

    def article(self, session: HubSession, article_id: str) -> KbArticle:
        """The article as its draft has it when there is one (`draft` set), else as published."""
        self.ctx.allow(session, HqWork.KB_MANAGE)
        row = self.ctx.row("kb_articles", article_id)
        values = self.review.values(article_id)
        if values is not None:
            stored = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for k, v in values.items()}
            shown = {**(row or {}), **stored, "id": article_id, "active": row.get("active") if row else 0}
            return dataclasses.replace(self._row(shown, session.lang), draft=self.review.draft(session, article_id))
        if row is None:
            raise ServiceError.of("not_found", thing=pair("table", "kb_articles"))
        return self._row(row, session.lang)

    def _row(self, r: dict, lang: str) -> KbArticle:
        a = decoded("kb_articles", r)
        tags, fault_codes, models, audience = (tuple(str(x) for x in (a.get(f) or ()))
                                               for f in ("tags", "fault_codes", "models", "audience"))
        codes = self._model_codes(list(models))
        category = a.get("category") or ""
        return KbArticle(r["id"], a.get("title") or "", category, category_name(category, lang),
                         a.get("body") or "", tags, fault_codes, models, tuple(codes.get(m, m) for m in models),
                         audience, tuple(label("role", x, lang) for x in audience), a.get("active") is not False,
                         a.get("updated_at"))

    def _model_codes(self, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {r["id"]: r["code"] for r in self.ctx.query(
            f"SELECT id, code FROM product_models WHERE id IN ({marks})", ids)}

    def save_article(self, session: HubSession, article_id: str | None = None, *, title: str, category: str,
                     body: str, tags=(), fault_codes=(), models=(), audience=(), active: bool = True) -> str:
        """Write a new article (no id) or an edit of one, as a draft for review (nothing
        reaches a node or a search until another admin approves it). Models may be product
        model codes or ids; the article keeps what was given. `active` is not the draft's:
        an approved article is published; `publish` takes one down."""
        ctx = self.ctx
        ctx.allow(session, HqWork.KB_MANAGE)
        if article_id and ctx.row("kb_articles", article_id) is None and self.review.values(article_id) is None:
            raise ServiceError.of("not_found", thing=pair("table", "kb_articles"))
        roles = text_list(audience, "audience")
        if not roles:
            raise refuse("required", "audience")
        if any(r not in ROLES for r in roles):
            bad = next(r for r in roles if r not in ROLES)
            raise ServiceError.of("role_unknown", field="audience", role=bad)
        values = {"title": text(title, "title", required=True, max_len=120),
                  "category": text(category, "kb_category", required=True, max_len=40),
                  "body": text(body, "body", required=True, max_len=MAX_BODY, multiline=True),
                  "tags": text_list(tags, "tags"),
                  "fault_codes": [c.upper() for c in text_list(fault_codes, "fault_codes")],
                  "models": text_list(models, "models"),
                  "audience": [r for r in ROLES if r in roles]}
        aid = article_id or str(uuid.uuid4())
        with ctx.tx():
            self.review.save(session, aid, values)
            ctx.audit(session, "kb_article_created" if article_id is None else "kb_article_changed", aid,
                      values["title"])
        return aid

    def publish(self, session: HubSession, article_id: str, published: bool = True) -> None:
        """Publish (nodes show it) or unpublish (nodes drop it from their search)."""
        ctx = self.ctx
        ctx.allow(session, HqWork.KB_MANAGE)
        if ctx.row("kb_articles", article_id) is None:
            raise ServiceError.of("not_found", thing=pair("table", "kb_articles"))
        with ctx.tx():
            ctx.write(session, [_put(article_id, {"active": bool(published), "updated_at": ctx.now()})])
            ctx.audit(session, "kb_article_published" if published else "kb_article_unpublished", article_id)

    # ---- synonyms ----

    def synonyms(self, session: HubSession) -> list[KbSynonyms]:
        """The groups in force, by their first word."""
        self.ctx.allow(session, HqWork.KB_MANAGE)
        groups = [decoded("kb_synonyms", r) | {"id": r["id"]} for r in self.ctx.query(
            "SELECT * FROM kb_synonyms WHERE COALESCE(active, 1) != 0")]
        return sorted((KbSynonyms(g["id"], tuple(g.get("terms") or ()), g.get("updated_at")) for g in groups),
                      key=lambda g: g.terms)

    def save_synonyms(self, session: HubSession, group_id: str | None = None, *, terms) -> str:
        """Create (no id) or replace a group: two to MAX_TERMS different words, each one a
        search can find (Chinese, letters or digits), typed apart by commas, 、 or lines."""
        ctx = self.ctx
        ctx.allow(session, HqWork.KB_MANAGE)
        if group_id and ctx.row("kb_synonyms", group_id) is None:
            raise ServiceError.of("not_found", thing=pair("table", "kb_synonyms"))
        words: list[str] = []
        for word in text_list(terms, "synonyms"):
            if len(word) > MAX_TERM:
                raise refuse("synonym_too_long", "synonyms", word=word[:MAX_TERM] + "…", max=MAX_TERM)
            if not is_searchable(word):
                raise refuse("synonym_unsearchable", "synonyms", word=word)
            if word.lower() not in {w.lower() for w in words}:
                words.append(word)
        if len(words) < 2:
            raise refuse("synonyms_too_few", "synonyms")
        if len(words) > MAX_TERMS:
            raise refuse("synonyms_too_many", "synonyms", max=MAX_TERMS)
        gid = group_id or str(uuid.uuid4())
        with ctx.tx():
            ctx.write(session, [_put(gid, {"terms": words, "active": True, "updated_at": ctx.now()},
                                     "kb_synonyms")])
            ctx.audit(session, "kb_synonyms_saved", gid, "、".join(words))
        return gid

    def remove_synonyms(self, session: HubSession, group_id: str) -> None:
        """Switch a group off (the nodes stop treating its words as one)."""
        ctx = self.ctx
        ctx.allow(session, HqWork.KB_MANAGE)
        row = ctx.row("kb_synonyms", group_id)
        if row is None:
            raise ServiceError.of("not_found", thing=pair("table", "kb_synonyms"))
        with ctx.tx():
            ctx.write(session, [_put(group_id, {"active": False, "updated_at": ctx.now()}, "kb_synonyms")])
            ctx.audit(session, "kb_synonyms_removed", group_id)
