"""Articles are reviewed before they are published (issue #15 item 9, hub/services/kb_review.py),
on SQLite and PostgreSQL: what an admin writes is a draft that no node and no search sees;
another admin — not its author — approves it (then it is published and replicated) or sends
it back with a reason; an edit of a published article leaves the published text in force
until it is approved."""
from tests.hub.test_intake import refused

ARTICLE = dict(title="量子除霜期间不出热风", category="AC", body="量子除霜时室内机暂停送风，约十分钟后恢复。",
               tags="量子除霜", fault_codes="QD1", models="", audience=["technician", "hq_agent"])


def replicated(services, aid) -> bool:
    return any(aid in bytes(r["body"]).decode() for r in services.ctx.hub.rows("bucket_changes", "bucket = 'global'"))


def test_a_draft_is_published_only_when_another_admin_approves_it(services, admin, reviewer, agent):
    kb, review = services.admin.kb, services.admin.kb.review
    aid = kb.save_article(admin, **ARTICLE)
    assert services.ctx.row("kb_articles", aid) is None and not replicated(services, aid)
    assert services.intake.search_kb(agent, "量子除霜") == []
    draft = kb.article(admin, aid).draft
    assert draft is not None and (draft.status, draft.author) == ("draft", "系统管理员") and not draft.revises
    refused(services, "kb_not_in_review", review.approve, reviewer, aid)
    review.submit(admin, aid)
    refused(services, "kb_already_in_review", review.submit, admin, aid)
    refused(services, "kb_review_own", review.approve, admin, aid)
    refused(services, "kb_review_own", review.send_back, admin, aid, "自己退回")
    refused(services, "required", review.send_back, reviewer, aid, "  ")
    refused(services, "role_forbidden", review.approve, agent, aid)
    review.send_back(reviewer, aid, "请补充恢复送风的时间范围")
    returned = review.draft(admin, aid)
    assert (returned.status, returned.reason) == ("draft", "请补充恢复送风的时间范围")
    assert services.ctx.row("kb_articles", aid) is None
    kb.save_article(admin, aid, **{**ARTICLE, "body": "量子除霜时室内机暂停送风，5到10分钟后恢复。"})
    review.submit(admin, aid)
    assert [d.id for d in review.drafts(reviewer)][0] == aid  # waiting for review: first
    review.approve(reviewer, aid)
    assert review.draft(admin, aid) is None and replicated(services, aid)
    a = kb.article(admin, aid)
    assert a.active and a.draft is None and "5到10分钟" in a.body
    assert [h.id for h in services.intake.search_kb(agent, "量子除霜")] == [aid]


def test_an_edit_of_a_published_article_waits_for_its_review(services, admin, reviewer, agent):
    kb, review = services.admin.kb, services.admin.kb.review
    aid = kb.save_article(admin, **ARTICLE)
    review.submit(admin, aid)
    review.approve(reviewer, aid)
    kb.save_article(reviewer, aid, **{**ARTICLE, "title": "量子除霜：新标题"})  # the reviewer edits: now the author
    assert services.ctx.row("kb_articles", aid)["title"] == ARTICLE["title"]  # still the published text
    assert [h.title for h in services.intake.search_kb(agent, "量子除霜")] == [ARTICLE["title"]]
    edited = kb.article(admin, aid)
    assert edited.title == "量子除霜：新标题" and edited.draft.revises and edited.active
    review.submit(reviewer, aid)
    refused(services, "kb_review_own", review.approve, reviewer, aid)
    review.approve(admin, aid)
    assert services.ctx.row("kb_articles", aid)["title"] == "量子除霜：新标题"
