"""HQ's rules: fee rules (type × category, money in yuan on screen, fen in the data), SLA
policies (type × priority, minutes) and callback survey templates (questions with a kind
and options). One sub-screen at a time."""
import flet as ft

from shared import surveys as sq
from shared.formatting import span, yuan
from shared.labels import label
from shared.money import fen_to_yuan
from shared.ui import widgets as w
from hub.services.admin_rules import (ORDER_TYPES, PRIORITIES, SURVEY_TYPES, FeeRule, SlaPolicy, Survey,
                                      survey_type_label)
from hub.ui.views.admin_settings import settings_form
from hub.ui.views.admin_common import active_chip, attempt, form, options, pair_row, switcher

PARTS = ["adm_fee_rules", "adm_sla", "adm_surveys", "adm_settings"]
ALL_CATEGORIES = "__all__"
BLANK_QUESTIONS = 2


def _plain_yuan(fen) -> str:
    return fen_to_yuan(int(fen or 0)).replace(",", "")


class RulesView:
    screen = "adm_rules"

    def __init__(self, shell):
        self.shell = shell
        self.part = PARTS[0]

    def build(self) -> ft.Control:
        sh = self.shell
        body = {"adm_fee_rules": self._fees, "adm_sla": self._sla, "adm_surveys": self._surveys,
                "adm_settings": lambda: settings_form(sh)}[self.part]()
        new = [] if self.part == "adm_settings" else [
            ft.Row([ft.FilledButton(sh.t("adm_rule_new"), icon=ft.Icons.ADD, on_click=lambda e: self._edit(None))])]
        return ft.Column([
            ft.Row([w.title(sh.t("adm_rules")), switcher(sh, self.part, PARTS, self._pick)], spacing=24, wrap=True),
            *new, body], spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _pick(self, part: str) -> None:
        self.part = part
        self.shell.render()

    def _edit(self, row):
        {"adm_fee_rules": self.edit_fee, "adm_sla": self.edit_sla, "adm_surveys": self.edit_survey}[self.part](row)

    def _edit_button(self, row) -> ft.Control:
        return ft.TextButton(self.shell.t("adm_edit"), icon=ft.Icons.EDIT, on_click=lambda e: self._edit(row))

    # ---- fees ----

    def _fees(self) -> ft.Control:
        sh = self.shell
        rows = [[r.type_label, r.category_label or sh.t("adm_all_categories"), yuan(r.visit_fee), yuan(r.labour_fee),
                 f"{r.unsatisfied_deduction_pct}%", r.repeat_repair_days, f"{r.repeat_repair_deduction_pct}%",
                 active_chip(sh, r.active), self._edit_button(r)]
                for r in sh.services.admin.rules.fee_rules(sh.session)]
        return w.table([sh.t(k) for k in ("adm_type", "adm_category", "adm_visit_fee", "adm_labour_fee",
                                          "adm_unsatisfied_pct", "adm_repeat_days", "adm_repeat_pct", "adm_status",
                                          "adm_edit")], rows, numeric={2, 3, 4, 5, 6})

    def edit_fee(self, r: FeeRule | None) -> None:
        sh = self.shell
        cats = [(ALL_CATEGORIES, sh.t("adm_all_categories"))] + [(c, f"{n}（{c}）") for c, n in
                                                                  sh.services.admin.network.categories()]
        otype = ft.Dropdown(label=sh.t("adm_type"), value=r.type if r else ORDER_TYPES[0],
                            options=options((t, label("order_type", t, sh.lang)) for t in ORDER_TYPES))
        cat = ft.Dropdown(label=sh.t("adm_category"), value=(r and r.category) or ALL_CATEGORIES, options=options(cats))
        visit = ft.TextField(label=sh.t("adm_visit_fee"), value=_plain_yuan(r and r.visit_fee), prefix="¥")
        labour = ft.TextField(label=sh.t("adm_labour_fee"), value=_plain_yuan(r and r.labour_fee), prefix="¥")
        unsat = ft.TextField(label=sh.t("adm_unsatisfied_pct"), value=str(r.unsatisfied_deduction_pct if r else 0),
                             suffix="%")
        days = ft.TextField(label=sh.t("adm_repeat_days"), value=str(r.repeat_repair_days if r else 0))
        repeat = ft.TextField(label=sh.t("adm_repeat_pct"), value=str(r.repeat_repair_deduction_pct if r else 0),
                              suffix="%")
        active = ft.Switch(label=sh.t("adm_active"), value=r.active if r else True)

        def ok():
            return attempt(sh, sh.services.admin.rules.save_fee_rule, sh.session, r and r.id, type=otype.value,
                           category=None if cat.value == ALL_CATEGORIES else cat.value, visit_fee=visit.value or "",
                           labour_fee=labour.value or "", unsatisfied_deduction_pct=unsat.value or "0",
                           repeat_repair_days=days.value or "0", repeat_repair_deduction_pct=repeat.value or "0",
                           active=active.value)[0]
        form(sh, sh.t("adm_fee_rules"), [pair_row(otype, cat), pair_row(visit, labour), unsat, pair_row(days, repeat),
                                         active], ok, sh.t("adm_save"), width=760)

    # ---- SLA ----

    def _sla(self) -> ft.Control:
        sh = self.shell

        def minutes(n):
            return sh.t("adm_minutes_span", n=n, span=span((n or 0) * 60000, sh.lang))
        rows = [[r.type_label, r.priority_label, minutes(r.accept_within_min), minutes(r.on_site_within_min),
                 minutes(r.complete_within_min), active_chip(sh, r.active), self._edit_button(r)]
                for r in sh.services.admin.rules.sla_policies(sh.session)]
        return w.table([sh.t(k) for k in ("adm_type", "adm_priority", "adm_accept_min", "adm_on_site_min",
                                          "adm_complete_min", "adm_status", "adm_edit")], rows)

    def edit_sla(self, r: SlaPolicy | None) -> None:
        sh = self.shell
        otype = ft.Dropdown(label=sh.t("adm_type"), value=r.type if r else ORDER_TYPES[0],
                            options=options((t, label("order_type", t, sh.lang)) for t in ORDER_TYPES))
        prio = ft.Dropdown(label=sh.t("adm_priority"), value=r.priority if r else PRIORITIES[0],
                           options=options((p, label("priority", p, sh.lang)) for p in PRIORITIES))
        accept = ft.TextField(label=sh.t("adm_accept_min"), value=str((r and r.accept_within_min) or ""))
        on_site = ft.TextField(label=sh.t("adm_on_site_min"), value=str((r and r.on_site_within_min) or ""))
        complete = ft.TextField(label=sh.t("adm_complete_min"), value=str((r and r.complete_within_min) or ""))
        active = ft.Switch(label=sh.t("adm_active"), value=r.active if r else True)

        def ok():
            return attempt(sh, sh.services.admin.rules.save_sla_policy, sh.session, r and r.id, type=otype.value,
                           priority=prio.value, accept_within_min=accept.value or "",
                           on_site_within_min=on_site.value or "", complete_within_min=complete.value or "",
                           active=active.value)[0]
        form(sh, sh.t("adm_sla"), [pair_row(otype, prio), accept, on_site, complete, active], ok, sh.t("adm_save"))

    # ---- surveys ----

    def _surveys(self) -> ft.Control:
        sh = self.shell
        cards = []
        for r in sh.services.admin.rules.surveys(sh.session):
            lines = [ft.Row([ft.Text(f"{i}.", width=24), ft.Text(q.text, expand=True),
                             w.chip(label("survey_kind", q.kind, sh.lang), ft.Colors.BLUE_GREY_400),
                             *([w.muted(" / ".join(q.options))] if q.options else [])])
                     for i, q in enumerate(r.questions, 1)]
            cards.append(w.section(f"{r.name} · {r.type_label}", *lines,
                                   actions=[ft.Row([active_chip(sh, r.active), self._edit_button(r)])]))
        return ft.Column(cards, spacing=12)

    def edit_survey(self, r: Survey | None) -> None:
        sh = self.shell
        stype = ft.Dropdown(label=sh.t("adm_type"), value=r.type if r else SURVEY_TYPES[0],
                            options=options((t, survey_type_label(t, sh.lang)) for t in SURVEY_TYPES))
        name = ft.TextField(label=sh.t("adm_survey_name"), value=r.name if r else "")
        active = ft.Switch(label=sh.t("adm_active"), value=r.active if r else True)
        rows: list[tuple] = []
        box = ft.Column(spacing=8)

        def add_row(q: sq.Question | None = None):
            n = len(rows) + 1
            text = ft.TextField(label=sh.t("adm_question", n=n), value=q.text if q else "", expand=3)
            kind = ft.Dropdown(label=sh.t("adm_kind"), value=str(q.kind) if q else str(sq.QuestionKind.YES_NO),
                               options=options((str(k), label("survey_kind", str(k), sh.lang))
                                               for k in sq.QuestionKind),
                               expand=1)
            opts = ft.TextField(label=sh.t("adm_options"), value=" / ".join(q.options) if q else "", expand=2)
            rows.append((text, kind, opts))
            box.controls.append(ft.Row([text, kind, opts], spacing=8))

        for q in r.questions if r else ():
            add_row(q)
        for _ in range(BLANK_QUESTIONS):
            add_row()

        def more(e):
            add_row()
            box.update()

        def ok():
            questions = [{"text": t.value or "", "kind": k.value,
                          "options": [o for o in (o.value or "").replace("／", "/").split("/") if o.strip()]}
                         for t, k, o in rows]
            return attempt(sh, sh.services.admin.rules.save_survey, sh.session, r and r.id, type=stype.value,
                           name=name.value, questions=questions, active=active.value)[0]
        form(sh, sh.t("adm_surveys"),
             [pair_row(stype, name), ft.Text(sh.t("adm_questions"), weight=ft.FontWeight.W_500),
                                       box, ft.TextButton(sh.t("adm_add_question"), icon=ft.Icons.ADD, on_click=more),
                                       active], ok, sh.t("adm_save"), width=760)
