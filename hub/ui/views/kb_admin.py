"""Knowledge-base management: the article list with search and category filter, the
categories with rename, the synonym groups (new, edit, remove), and the edit form (title,
category, text, tags, fault codes, models, audience checkboxes). What is saved is a draft: its author
submits it, another admin approves it (then it reaches the nodes at their next sync, shown
only to the roles ticked here) or sends it back with a reason; a published article can be
taken down and put back (hub/services/kb_review.py)."""
import flet as ft

from shared.formatting import when
from shared.labels import label
from shared.roles import Role
from shared.ui import widgets as w
from hub.services.kb_admin import KbArticle, KbCategory, KbSynonyms
from hub.ui.views.admin_common import attempt, confirm, form, options, pair_row

ANY = "__any__"
NEW = "__new__"


class KbAdminView:
    screen = "kba_title"

    def __init__(self, shell):
        self.shell = shell
        self.query = ""
        self.category = ANY
        self.article_id: str | None = None  # NEW, an id, or None for the list

    def build(self) -> ft.Control:
        return self._editor() if self.article_id else self._list()

    # ---- the list ----

    def _list(self) -> ft.Control:
        sh = self.shell
        kb = sh.services.admin.kb
        cats = kb.categories(sh.session)
        box = ft.TextField(label=sh.t("kba_search"), value=self.query, width=380, prefix_icon=ft.Icons.SEARCH,
                           on_submit=lambda e: self._filter(query=e.control.value))
        pick = ft.Dropdown(label=sh.t("kba_category_filter"), value=self.category, width=200, options=options(
            [(ANY, sh.t("kba_any_category"))] + [(c.code, c.name) for c in cats]),
            on_select=lambda e: self._filter(category=e.control.value))
        picked = None if self.category == ANY else self.category
        hits = kb.articles(sh.session, self.query, picked)
        total = kb.count(sh.session, self.query, picked)  # all of them, not only the ones listed
        cards = [self._card(a) for a in hits]
        categories = w.section(sh.t("kba_categories"), ft.Row([
            ft.Container(ft.Row([ft.Text(c.name), w.muted(sh.t("kba_cat_n", n=c.articles)),
                                 ft.IconButton(ft.Icons.DRIVE_FILE_RENAME_OUTLINE, tooltip=sh.t("kba_rename"),
                                               on_click=lambda e, c=c: self._rename(c))], spacing=4, tight=True),
                         border=ft.Border.all(1, ft.Colors.GREY_300), border_radius=8,
                         padding=ft.Padding.only(left=10, right=2))
            for c in cats], wrap=True, spacing=8, run_spacing=8))
        return ft.Column([
            ft.Row([w.title(sh.t("kba_title")), box, pick,
                    ft.OutlinedButton(sh.t("adm_search"), icon=ft.Icons.SEARCH,
                                      on_click=lambda e: self._filter(query=box.value)),
                    ft.FilledButton(sh.t("kba_new"), icon=ft.Icons.NOTE_ADD, on_click=lambda e: self._open(NEW))],
                   spacing=16, wrap=True),
            categories,
            self._synonyms(),
            self._drafts(),
            w.muted(sh.t("kba_n", n=total) + (sh.t("kba_shown", n=len(hits)) if total > len(hits) else "")),
            *(cards or [w.muted(sh.t("kba_no_hits"))])], spacing=10, expand=True, scroll=ft.ScrollMode.AUTO)

    def _card(self, a: KbArticle) -> ft.Control:
        sh = self.shell
        published = w.chip(sh.t("kba_published"), ft.Colors.GREEN_700) if a.active \
            else w.chip(sh.t("kba_unpublished"), ft.Colors.GREY_600)
        audience = "、".join(a.audience_labels) or "—"
        return ft.Card(ft.Container(ft.Column([
            ft.Row([ft.Text(a.title, size=16, weight=ft.FontWeight.W_600),
                    w.chip(a.category_name, ft.Colors.BLUE_GREY_400), published]),
            w.muted(f"{sh.t('kba_audience_col')}：{audience}  ·  {' '.join(a.fault_codes + a.model_codes[:3])}  ·  "
                    f"{sh.t('kba_updated', at=when(a.updated_at, sh.lang))}", size=13),
        ], spacing=4), padding=12, on_click=lambda e, i=a.id: self._open(i)), margin=0)

    # ---- drafts and reviews ----

    def _drafts(self) -> ft.Control:
        """Articles written or edited, not published as such until another admin approves."""
        sh = self.shell
        drafts = sh.services.admin.kb.review.drafts(sh.session)
        rows = []
        for d in drafts:
            status = w.chip(sh.t(f"kba_status_{d.status}"),
                            ft.Colors.ORANGE_800 if d.status == "in_review" else ft.Colors.GREY_600)
            extra = [sh.t("kba_by", name=d.author)] + ([sh.t("kba_revises")] if d.revises else [])
            rows.append(ft.Container(ft.Column([
                ft.Row([ft.Text(d.title, weight=ft.FontWeight.W_600), status], wrap=True),
                w.muted("  ·  ".join(extra + [sh.t("kba_updated", at=when(d.updated_at, sh.lang))]), size=13),
                *([ft.Text(sh.t("kba_returned", reason=d.reason), color=ft.Colors.RED_800, size=13)]
                  if d.reason else [])], spacing=2),
                padding=8, border=ft.Border.all(1, ft.Colors.GREY_300), border_radius=8,
                on_click=lambda e, i=d.id: self._open(i)))
        return w.section(sh.t("kba_drafts"), w.muted(sh.t("kba_drafts_hint"), size=13), *rows)

    # ---- synonyms ----

    def _synonyms(self) -> ft.Control:
        sh = self.shell
        groups = sh.services.admin.kb.synonyms(sh.session)
        chips = [ft.Container(ft.Row([
            ft.Text(" = ".join(g.terms)),
            ft.IconButton(ft.Icons.EDIT, tooltip=sh.t("kba_synonyms_edit"), on_click=lambda e, g=g: self._group(g)),
            ft.IconButton(ft.Icons.DELETE_OUTLINE, tooltip=sh.t("kba_synonyms_remove"),
                          on_click=lambda e, g=g: self._remove(g))], spacing=0, tight=True),
            border=ft.Border.all(1, ft.Colors.GREY_300), border_radius=8, padding=ft.Padding.only(left=10, right=2))
            for g in groups]
        return w.section(sh.t("kba_synonyms"), w.muted(sh.t("kba_synonyms_hint"), size=13),
                         ft.Row(chips, wrap=True, spacing=8, run_spacing=8) if chips
                         else w.muted(sh.t("kba_synonyms_none")),
                         actions=[ft.TextButton(sh.t("kba_synonyms_new"), icon=ft.Icons.ADD,
                                                on_click=lambda e: self._group(None))])

    def _group(self, g: KbSynonyms | None) -> None:
        sh = self.shell
        box = ft.TextField(label=sh.t("kba_synonyms_field"), value="，".join(g.terms) if g else "", autofocus=True)

        def ok():
            message, _ = attempt(sh, sh.services.admin.kb.save_synonyms, sh.session, g.id if g else None,
                                 terms=box.value or "", done="kba_synonyms_saved")
            return message
        form(sh, sh.t("kba_synonyms_edit") if g else sh.t("kba_synonyms_new"), [box], ok, sh.t("adm_save"))

    def _remove(self, g: KbSynonyms) -> None:
        sh = self.shell

        def yes():
            message, _ = attempt(sh, sh.services.admin.kb.remove_synonyms, sh.session, g.id,
                                 done="kba_synonyms_removed")
            return message
        confirm(sh, sh.t("kba_synonyms_remove_title", terms=" = ".join(g.terms)), sh.t("kba_synonyms_hint"), yes,
                sh.t("kba_synonyms_remove"))

    def _filter(self, query=None, category=None) -> None:
        if query is not None:
            self.query = query.strip()
        if category is not None:
            self.category = category
        self.shell.render()

    def _open(self, article_id: str | None) -> None:
        self.article_id = article_id
        self.shell.render()

    def _rename(self, c: KbCategory) -> None:
        sh = self.shell
        box = ft.TextField(label=sh.t("kba_new_name"), value=c.code, autofocus=True)

        def ok():
            message, n = attempt(sh, sh.services.admin.kb.rename_category, sh.session, c.code, box.value or "")
            if message is None:
                sh.toast(sh.t("kba_renamed", n=n))
            return message
        form(sh, sh.t("kba_rename_title", name=c.name), [box], ok, sh.t("adm_save"))

    # ---- the editor ----

    def _editor(self) -> ft.Control:
        sh = self.shell
        kb = sh.services.admin.kb
        creating = self.article_id == NEW
        a = None if creating else kb.article(sh.session, self.article_id)
        title = ft.TextField(label=sh.t("kba_field_title"), value=a.title if a else "")
        category = ft.TextField(label=sh.t("kba_field_category"), value=a.category if a else "", width=360)

        def use(code):
            category.value = code
            category.update()
        known = ft.Row([ft.TextButton(c.name, on_click=lambda e, c=c: use(c.code)) for c in kb.categories(sh.session)],
                       wrap=True, spacing=0)
        body = ft.TextField(label=sh.t("kba_field_body"), value=a.body if a else "", multiline=True, min_lines=8,
                            max_lines=18)
        tags = ft.TextField(label=sh.t("kba_field_tags"), value="，".join(a.tags) if a else "")
        codes = ft.TextField(label=sh.t("kba_field_codes"), value="，".join(a.fault_codes) if a else "")
        models = ft.TextField(label=sh.t("kba_field_models"), value="，".join(a.model_codes) if a else "")
        audience = a.audience if a else (str(Role.TECHNICIAN),)
        roles = [ft.Checkbox(label=label("role", str(r), sh.lang), value=str(r) in audience, data=str(r))
                 for r in Role]
        draft = a.draft if a else None
        published_once = a is not None and (draft is None or draft.revises)
        error = ft.Text("", color=ft.Colors.RED_800)
        reason = ft.TextField(label=sh.t("kba_reason"), multiline=True, min_lines=2, max_lines=4)

        def done(message) -> bool:
            if message:
                error.value = message
                sh.page.update()
                return False
            self.article_id = None
            sh.render()
            return True

        def save(e, submit: bool = False):
            message, aid = attempt(sh, kb.save_article, sh.session, None if creating else self.article_id,
                                   title=title.value, category=category.value or "", body=body.value,
                                   tags=tags.value, fault_codes=codes.value, models=models.value,
                                   audience=[c.data for c in roles if c.value], done="kba_draft_saved")
            if message is None and submit:
                message, _ = attempt(sh, kb.review.submit, sh.session, aid, done="kba_submitted")
            done(message)

        def decide(e, approve: bool):
            if approve:
                message, _ = attempt(sh, kb.review.approve, sh.session, self.article_id, done="kba_approved")
            else:
                message, _ = attempt(sh, kb.review.send_back, sh.session, self.article_id, reason.value or "",
                                     done="kba_sent_back")
            done(message)

        def set_published(e):
            message, _ = attempt(sh, kb.publish, sh.session, self.article_id, bool(e.control.value), done="kba_saved")
            if message:
                error.value = message
                sh.page.update()

        published = [ft.Switch(label=sh.t("kba_publish_now"), value=a.active, on_change=set_published)] \
            if published_once and a is not None else []
        status: list[ft.Control] = []
        if draft is not None:
            status.append(ft.Row([w.chip(sh.t(f"kba_status_{draft.status}"), ft.Colors.ORANGE_800
                                         if draft.status == "in_review" else ft.Colors.GREY_600),
                                  w.muted(sh.t("kba_by", name=draft.author))], wrap=True))
            if draft.reason:
                status.append(ft.Text(sh.t("kba_returned", reason=draft.reason), color=ft.Colors.RED_800))
        if draft is not None and draft.status == "in_review":
            if draft.author_id == sh.session.user_id:
                buttons = [w.muted(sh.t("kba_wait_review"))]
            else:  # another admin reviews: approve, or send back saying why
                buttons = [reason, ft.Row([
                    ft.FilledButton(sh.t("kba_approve"), icon=ft.Icons.VERIFIED, on_click=lambda e: decide(e, True)),
                    ft.OutlinedButton(sh.t("kba_send_back"), icon=ft.Icons.UNDO, on_click=lambda e: decide(e, False)),
                ], spacing=12, wrap=True)]
        else:
            buttons = [ft.Row([
                ft.OutlinedButton(sh.t("kba_save"), icon=ft.Icons.SAVE, on_click=save),
                ft.FilledButton(sh.t("kba_submit"), icon=ft.Icons.SEND, on_click=lambda e: save(e, True)),
            ], spacing=12, wrap=True)]

        return ft.Column([
            ft.Row([ft.IconButton(ft.Icons.ARROW_BACK, tooltip=sh.t("kba_back"), on_click=lambda e: self._open(None)),
                    w.title(sh.t("kba_new_title") if creating else sh.t("kba_edit_title"))]),
            *status,
            title, ft.Row([category, known], wrap=True), body, pair_row(tags, codes), models,
            ft.Text(sh.t("kba_audience"), weight=ft.FontWeight.W_500),
            ft.Row([ft.Container(c, width=140) for c in roles], wrap=True, spacing=4),
            *published, error, *buttons,
            ft.Row([ft.OutlinedButton(sh.t("kba_back"), on_click=lambda e: self._open(None))]),
        ], spacing=12, expand=True, scroll=ft.ScrollMode.AUTO, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
