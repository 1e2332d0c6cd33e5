"""Articles are reviewed before they are published (issue #15 item 9). What an admin writes
is a draft, kept on the hub only (`hq_kb_drafts`, hub migration 18): it reaches no node and
no search. The author submits it for review; another admin — never the one who wrote it —
either approves it, which publishes it (the one write into the replicated `kb_articles`,
so it reaches the nodes at their next pull and the agents' search at once), or sends it
back with a reason the author reads on the draft. An edit of a published article is a
draft of its own: the published text stays what nodes and agents see until the edit is
approved.

    draft --submit--> in_review --approve (another admin)--> published (kb_articles)
                          └──send back with a reason──> draft"""
import json
from dataclasses import dataclass

from shared.errors import ServiceError
from shared.labels import pair
from shared.roles import HqWork

from hub.services.admin_values import text
from hub.services.session import HubSession

DRAFT, IN_REVIEW = "draft", "in_review"

DDL = (
    """CREATE TABLE IF NOT EXISTS hq_kb_drafts (id TEXT PRIMARY KEY, fields TEXT NOT NULL, status TEXT NOT NULL,
        author_id TEXT NOT NULL, reason TEXT, reviewer_id TEXT, updated_at INTEGER NOT NULL)""",
)


@dataclass(frozen=True, slots=True)
class KbDraft:
    id: str                 # the article's id (the published one it revises, if any)
    title: str
    status: str             # DRAFT or IN_REVIEW
    author_id: str
    author: str             # display name
    reason: str             # why it was sent back ("" if never)
    updated_at: int
    revises: bool           # an edit of a published article


class KbReview:
    def __init__(self, ctx):
        self.ctx = ctx

    def save(self, session: HubSession, article_id: str, values: dict) -> None:
        """Keep `values` (an article's checked fields) as the draft of `article_id`, written
        by `session`: a draft again, whatever it was (an edit restarts the review)."""
        ctx = self.ctx
        with ctx.tx() as c:
            c.execute("DELETE FROM hq_kb_drafts WHERE id = ?", (article_id,))
            ctx.insert("hq_kb_drafts", {"id": article_id, "fields": json.dumps(values, ensure_ascii=False),
                                        "status": DRAFT, "author_id": session.user_id, "reason": None,
                                        "reviewer_id": None, "updated_at": ctx.now()})

    def values(self, article_id: str) -> dict | None:
        """The draft's article fields, or None when the article has no draft."""
        row = self.ctx.one("SELECT fields FROM hq_kb_drafts WHERE id = ?", (article_id,))
        return None if row is None else json.loads(row["fields"])

    def drafts(self, session: HubSession) -> list[KbDraft]:
        """Every draft, those waiting for review first, then the newest."""
        self.ctx.allow(session, HqWork.KB_MANAGE)
        rows = self.ctx.query(
            "SELECT d.*, u.display_name AS author, a.id AS published FROM hq_kb_drafts d "
            "LEFT JOIN users u ON u.id = d.author_id LEFT JOIN kb_articles a ON a.id = d.id "
            "ORDER BY CASE d.status WHEN 'in_review' THEN 0 ELSE 1 END, d.updated_at DESC")
        return [KbDraft(r["id"], json.loads(r["fields"]).get("title") or "", r["status"], r["author_id"],
                        r["author"] or r["author_id"], r["reason"] or "", r["updated_at"], r["published"] is not None)
                for r in rows]

    def draft(self, session: HubSession, article_id: str) -> KbDraft | None:
        return next((d for d in self.drafts(session) if d.id == article_id), None)

    def submit(self, session: HubSession, article_id: str) -> None:
        """The author (or any admin) asks for the draft's review."""
        ctx = self.ctx
        ctx.allow(session, HqWork.KB_MANAGE)
        self._status(article_id, DRAFT)
        with ctx.tx():
            ctx.update("hq_kb_drafts", article_id, {"status": IN_REVIEW, "updated_at": ctx.now()})
            ctx.audit(session, "kb_article_submitted", article_id)

    def approve(self, session: HubSession, article_id: str) -> None:
        """Another admin approves: the article is published as the draft has it."""
        ctx = self.ctx
        ctx.allow(session, HqWork.KB_MANAGE)
        draft = self._reviewable(session, article_id)
        values = {**json.loads(draft["fields"]), "active": True, "updated_at": ctx.now()}
        with ctx.tx() as c:
            ctx.write(session, [{"op": "put", "table": "kb_articles", "id": article_id, "fields": values}])
            c.execute("DELETE FROM hq_kb_drafts WHERE id = ?", (article_id,))
            ctx.audit(session, "kb_article_approved", article_id, f"{values.get('title')} by {draft['author_id']}")

    def send_back(self, session: HubSession, article_id: str, reason: str) -> None:
        """Another admin returns the draft to its author, saying why."""
        ctx = self.ctx
        ctx.allow(session, HqWork.KB_MANAGE)
        reason = text(reason, "kb_return_reason", required=True, max_len=300, multiline=True)
        self._reviewable(session, article_id)
        with ctx.tx():
            ctx.update("hq_kb_drafts", article_id, {"status": DRAFT, "reason": reason,
                                                    "reviewer_id": session.user_id, "updated_at": ctx.now()})
            ctx.audit(session, "kb_article_sent_back", article_id, reason)

    def _status(self, article_id: str, wanted: str) -> dict:
        draft = self.ctx.one("SELECT * FROM hq_kb_drafts WHERE id = ?", (article_id,))
        if draft is None:
            raise ServiceError.of("not_found", thing=pair("table", "kb_articles"))
        if draft["status"] != wanted:
            raise ServiceError.of("kb_not_in_review" if wanted == IN_REVIEW else "kb_already_in_review")
        return draft

    def _reviewable(self, session: HubSession, article_id: str) -> dict:
        draft = self._status(article_id, IN_REVIEW)
        if draft["author_id"] == session.user_id:
            raise ServiceError.of("kb_review_own")
        return draft

