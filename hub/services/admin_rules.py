"""HQ's rules that every node reads (global bucket): fee rules per order type × product
category (visit and labour fees in fen, callback deductions, the repeat-repair window),
SLA policies per order type × priority (minutes to accept, be on site, complete) and the
callback survey template per order type (questions as shared/surveys.py strings). One
rule per combination: a second one is refused, so settlement and SLA clocks never have to
guess which applies."""
import uuid

from shared import surveys as sq
from shared.errors import ServiceError
from shared.labels import label, pair
from shared.orders import OrderType, Priority
from shared.roles import HqWork

from hub.services.admin_network import Network
from hub.services.admin_values import decoded, fen, percent, refuse, text, whole
from hub.services.session import HubSession

ORDER_TYPES = tuple(str(t) for t in OrderType)
PRIORITIES = tuple(str(p) for p in Priority)
SURVEY_TYPES = ORDER_TYPES + ("complaint",)


def survey_type_label(value: str, lang: str = "zh") -> str:
    return label("survey_type", value, lang) if value == "complaint" else label("order_type", value, lang)


def _put(table: str, row_id: str, fields: dict) -> dict:
    return {"op": "put", "table": table, "id": row_id, "fields": fields}


def _choice(value, allowed, field: str) -> str:
    v = str(value or "")
    if v not in allowed:
        raise refuse("bad_choice", field)
    return v


class Rules:
    def __init__(self, ctx):
        self.ctx = ctx

    def _rows(self, session: HubSession, table: str, order: str) -> list[dict]:
        self.ctx.allow(session, HqWork.ADMIN)
        return [{"id": r["id"], **decoded(table, r)}
                for r in self.ctx.query(f"SELECT * FROM [{table}] ORDER BY {order}")]

    def _existing(self, table: str, row_id: str | None, thing: tuple[str, str]) -> dict | None:
        if row_id is None:
            return None
        row = self.ctx.row(table, row_id)
        if row is None:
            raise ServiceError.of("not_found", thing=thing)
        return decoded(table, row)

    def _unique(self, table: str, row_id: str | None, where: str, params: tuple, what: tuple[str, str]) -> None:
        if self.ctx.scalar(f"SELECT COUNT(*) FROM [{table}] WHERE {where} AND id != ?", (*params, row_id or "")):
            raise ServiceError.of("rule_exists", what=what)

    def _save(self, session, table: str, row_id: str | None, values: dict, action: str) -> str:
        rid = row_id or str(uuid.uuid4())
        with self.ctx.tx():
            self.ctx.write(session, [_put(table, rid, values)])
            self.ctx.audit(session, action, rid, " ".join(f"{k}={values[k]}" for k in sorted(values)
                                                          if k != "questions"))
        return rid

    # ---- fee rules ----

    def fee_rules(self, session: HubSession) -> list[dict]:
        return self._rows(session, "fee_rules", "type, COALESCE(category, '')")

    def save_fee_rule(self, session: HubSession, rule_id: str | None = None, *, type: str, category: str | None,
                      visit_fee, labour_fee, unsatisfied_deduction_pct=0, repeat_repair_days=0,
                      repeat_repair_deduction_pct=0, active: bool = True) -> str:
        """Fees as fen (int) or as yuan typed by a person (text); category None or "" is
        the type's rule for every category without its own."""
        self.ctx.allow(session, HqWork.ADMIN)
        self._existing("fee_rules", rule_id, pair("hq_rule", "fee_rule"))
        otype = _choice(type, ORDER_TYPES, "order_type")
        cat = str(category or "") or None
        if cat is not None:
            _choice(cat, {c for c, _ in Network(self.ctx).categories()}, "category")
        values = {"type": otype, "category": cat, "visit_fee": fen(visit_fee, "visit_fee"),
                  "labour_fee": fen(labour_fee, "labour_fee"),
                  "unsatisfied_deduction_pct": percent(unsatisfied_deduction_pct, "unsatisfied_deduction_pct"),
                  "repeat_repair_days": whole(repeat_repair_days, "repeat_repair_days"),
                  "repeat_repair_deduction_pct": percent(repeat_repair_deduction_pct, "repeat_repair_deduction_pct"),
                  "active": bool(active)}
        self._unique("fee_rules", rule_id, "type = ? AND COALESCE(category, '') = ?", (otype, cat or ""),
                     (f"{label('order_type', otype)} × {cat or '全部类别'}",
                      f"{label('order_type', otype, 'en')} × {cat or 'all categories'}"))
        return self._save(session, "fee_rules", rule_id, values, "fee_rule_saved")

    # ---- SLA policies ----

    def sla_policies(self, session: HubSession) -> list[dict]:
        return self._rows(session, "sla_policies", "type, priority")

    def save_sla_policy(self, session: HubSession, policy_id: str | None = None, *, type: str, priority: str,
                        accept_within_min, on_site_within_min, complete_within_min, active: bool = True) -> str:
        self.ctx.allow(session, HqWork.ADMIN)
        self._existing("sla_policies", policy_id, pair("hq_rule", "sla_policy"))
        otype = _choice(type, ORDER_TYPES, "order_type")
        prio = _choice(priority, PRIORITIES, "priority")
        values = {"type": otype, "priority": prio,
                  **{f: whole(v, f, minimum=1) for f, v in (("accept_within_min", accept_within_min),
                                                             ("on_site_within_min", on_site_within_min),
                                                             ("complete_within_min", complete_within_min))},
                  "active": bool(active)}
        if not values["accept_within_min"] <= values["on_site_within_min"] <= values["complete_within_min"]:
            raise ServiceError.of("sla_order")
        self._unique("sla_policies", policy_id, "type = ? AND priority = ?", (otype, prio),
                     (f"{label('order_type', otype)} × {label('priority', prio)}",
                      f"{label('order_type', otype, 'en')} × {label('priority', prio, 'en')}"))
        return self._save(session, "sla_policies", policy_id, values, "sla_policy_saved")

    # ---- survey templates ----

    def surveys(self, session: HubSession) -> list[dict]:
        """Templates with `parsed`: their questions as shared.surveys.Question."""
        rows = self._rows(session, "survey_templates", "type")
        for r in rows:
            r["parsed"] = [sq.parse(q) for q in (r.get("questions") or [])]
        return rows

    def save_survey(self, session: HubSession, template_id: str | None = None, *, type: str, name: str,
                    questions: list, active: bool = True) -> str:
        """`questions`: shared.surveys.Question, stored strings, or dicts {text, kind,
        options}; stored as strings in the shape the callbacks read."""
        self.ctx.allow(session, HqWork.ADMIN)
        self._existing("survey_templates", template_id, pair("hq_rule", "survey"))
        stype = _choice(type, SURVEY_TYPES, "survey_type")
        parsed = [self._question(q) for q in (questions or [])]
        stored = [sq.format(q) for q in parsed if q is not None]
        if not stored:
            raise ServiceError.of("no_questions")
        values = {"type": stype, "name": text(name, "name", required=True, max_len=80),
                  "questions": stored, "active": bool(active)}
        self._unique("survey_templates", template_id, "type = ?", (stype,),
                     (survey_type_label(stype), survey_type_label(stype, "en")))
        return self._save(session, "survey_templates", template_id, values, "survey_saved")

    @staticmethod
    def _question(q) -> sq.Question | None:
        """One question checked; None for a blank line of the form."""
        if isinstance(q, str):
            q = sq.parse(q)
        elif isinstance(q, dict):
            q = sq.Question(str(q.get("text") or ""), str(q.get("kind") or sq.QuestionKind.YES_NO),
                                 tuple(str(o) for o in (q.get("options") or ())))
        kind = _choice(q.kind, {str(k) for k in sq.QuestionKind}, "question")
        body = text(q.text, "question", max_len=200).replace("(", "（").replace(")", "）")
        if not body:
            return None
        options = tuple(o for o in (" ".join(str(o).replace("/", " ").split()) for o in q.options) if o)
        if kind == sq.QuestionKind.CHOICE and not 2 <= len(options) <= sq.MAX_OPTIONS:
            raise ServiceError.of("choice_options", n=sq.MAX_OPTIONS)
        return sq.Question(body, kind, options if kind == sq.QuestionKind.CHOICE else ())
