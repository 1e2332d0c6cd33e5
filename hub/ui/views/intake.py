"""The call-intake screen, one page per call: the caller's number → the customer's card
(membership, service history, earlier calls) or a form for a new customer → what they ask
for. A repair or install shows the order form with the dispatch suggestion and its
reasons (confirm, or send elsewhere with a reason); a consult searches the knowledge base
and records the article that answered; a complaint picks the department and severity;
praise names the order it is about. Every rule is the services' (hub/services/intake.py)."""
import dataclasses

import flet as ft

from shared.complaints import DEFAULT_DEPARTMENT, Severity
from shared.formatting import when
from shared.intake import MEMBER_LEVELS, ORDER_REQUESTS, RequestType
from shared.labels import label
from shared.orders import Priority

from hub.services.intake import Customer
from hub.ui.views.dispatch import suggestion_panel
from hub.ui.views.order_file import open_record
from shared.ui import widgets as w

ICONS = {RequestType.REPAIR: ft.Icons.BUILD, RequestType.INSTALL: ft.Icons.HANDYMAN,
         RequestType.CONSULT: ft.Icons.HELP_OUTLINE, RequestType.COMPLAINT: ft.Icons.REPORT_PROBLEM,
         RequestType.PRAISE: ft.Icons.THUMB_UP}
NONE = "-"  # the dropdown entry for "no member level" / "no order"


class IntakeView:
    screen = "in_nav_intake"

    def __init__(self, shell):
        self.shell = shell
        self.focus_phone = True  # the phone field takes the focus when the screen opens and after each call
        self.next_call()

    def next_call(self) -> None:
        self.phone = ""
        self.lookup = None
        self.customer_id: str | None = None
        self.editing = False
        self.customer_form: dict = {}
        self.done = None  # () -> the confirmation of the last recorded call, in the current language
        self.reset_request()

    def reset_request(self) -> None:
        self.kind: RequestType | None = None
        self.form: dict = {}
        self.summary = ""
        self.reason = ""
        self.kb_query = ""
        self.kb_open: str | None = None  # the article shown in full
        self.department = DEFAULT_DEPARTMENT
        self.severity = str(Severity.NORMAL)
        self.linked_order: str | None = None

    # ---- the page ----

    def build(self) -> ft.Control:
        sh = self.shell
        phone = ft.TextField(label=sh.t("in_phone"), value=self.phone, width=300,
                             prefix_icon=ft.Icons.PHONE, autofocus=self.focus_phone,
                             on_submit=lambda e: self._lookup(e.control.value))
        if self.focus_phone:
            self.focus_phone = False
            sh.page.run_task(phone.focus)  # after this render is on the page
        parts: list[ft.Control] = [
            ft.Row([w.title(sh.t("in_title")), phone,
                    ft.FilledButton(sh.t("in_lookup"), icon=ft.Icons.SEARCH,
                                    on_click=lambda e: self._lookup(phone.value)),
                    ft.TextButton(sh.t("in_new_call"), icon=ft.Icons.PHONE_CALLBACK,
                                  on_click=lambda e: self._restart())],
                   spacing=16, vertical_alignment=ft.CrossAxisAlignment.CENTER)]
        if self.done:
            parts.append(ft.Container(ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE, color=ft.Colors.GREEN_700),
                                               ft.Text(self.done(), size=16, weight=ft.FontWeight.W_600)]),
                                      bgcolor=ft.Colors.GREEN_50, padding=12, border_radius=8))
        if self.lookup is not None:
            parts += self._caller()
        return ft.Column(parts, spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)

    def _restart(self) -> None:
        self.next_call()
        self.focus_phone = True
        self.shell.render()

    def _call_done(self, done) -> None:
        """The call is recorded: its confirmation shows until the next lookup, the form is
        ready for the next caller, the phone field has the focus."""
        self.next_call()
        self.done, self.focus_phone = done, True
        self.shell.render()

    def _lookup(self, text: str) -> None:
        sh = self.shell
        self.phone = (text or "").strip()
        ok, found = sh.run(sh.services.intake.lookup, sh.session, self.phone)
        if not ok:
            return
        self.lookup, self.done, self.editing = found, None, False
        self.customer_id = found.customers[0].id if len(found.customers) == 1 else None
        self.customer_form = {} if found.returning else {"phone": self.phone if len(found.digits) >= 7 else ""}
        self.reset_request()
        sh.render()

    # ---- who is calling ----

    def _caller(self) -> list[ft.Control]:
        sh = self.shell
        if not self.lookup.returning and self.customer_id is None:
            return [ft.Text(sh.t("in_new_caller", phone=self.phone), size=16, color=ft.Colors.ORANGE_900),
                    self._customer_form(None)]
        if self.customer_id is None:
            return [w.section(sh.t("in_matches", n=len(self.lookup.customers)), *[
                ft.Row([ft.Text(c.customer.name, width=120), ft.Text(c.customer.phone, width=140),
                        ft.Text(c.customer.address, expand=True),
                        ft.OutlinedButton(sh.t("in_choose"), on_click=lambda e, i=c.id: self._choose(i))])
                for c in self.lookup.customers])]
        ok, card = sh.run(sh.services.intake.card, sh.session, self.customer_id)
        if not ok:
            return []
        if self.editing:
            return [self._card(card), self._customer_form(card.customer)]
        # what the caller asks for first: its buttons are in view without scrolling
        return [self._request(card), self._card(card)]

    def _choose(self, customer_id: str) -> None:
        self.customer_id = customer_id
        self.reset_request()
        self.shell.render()

    def _card(self, card) -> ft.Control:
        sh = self.shell
        c = card.customer
        level = c.member_level
        badge = w.chip(f"{sh.t('in_member')} · {level}", ft.Colors.AMBER_800) if level else \
            w.chip(sh.t("in_not_member"), ft.Colors.BLUE_GREY_400)
        head = ft.Row([ft.Text(c.name, size=20, weight=ft.FontWeight.BOLD),
                       w.chip(sh.t("in_returning"), ft.Colors.INDIGO_600) if card.orders else ft.Container(), badge],
                      spacing=10)
        info = ft.Row([w.kv(sh.t("in_cphone"), c.phone), w.kv(sh.t("in_city"), c.city)], spacing=40)
        rows = [[ft.TextButton(o.number, tooltip=sh.t("in_open_record"),
                               on_click=lambda e, i=o.id: self._open_order(i)), o.type_label,
                 w.status_chip(o.status, o.status_label),
                 o.model_code or "—", o.outlet_name or "—", when(o.created_at, sh.lang),
                 o.fault_description[:24]] for o in card.orders[:10]]
        history = w.table([sh.t("in_col_number"), sh.t("in_col_type"), sh.t("in_col_status"), sh.t("in_col_model"),
                           sh.t("in_col_outlet"), sh.t("in_col_created"), sh.t("in_col_fault")], rows) \
            if rows else w.muted(sh.t("in_no_history"))
        controls = [head, info, w.kv(sh.t("in_address"), c.address),
                    ft.Text(sh.t("in_history"), weight=ft.FontWeight.W_600), history]
        if card.requests:
            controls += [ft.Text(sh.t("in_calls"), weight=ft.FontWeight.W_600)] + [
                w.muted(f"{when(r.created_at, sh.lang)}  {r.type_label}  {r.about}  {r.summary}")
                for r in card.requests[:5]]
        edit = ft.TextButton(sh.t("in_edit_customer"), icon=ft.Icons.EDIT, on_click=lambda e: self._edit(True))
        return ft.Card(ft.Container(ft.Column([ft.Row([ft.Column(controls[:3], spacing=6, expand=True), edit],
                                                      vertical_alignment=ft.CrossAxisAlignment.START),
                                               *controls[3:]], spacing=8), padding=16), margin=0)

    def _open_order(self, order_id: str) -> None:
        open_record(self.shell, order_id)  # the full record, as the ticket query opens it

    def _edit(self, on: bool) -> None:
        self.editing = on
        self.customer_form = {}
        self.shell.render()

    def _customer_form(self, customer: Customer | None) -> ft.Control:
        sh = self.shell
        base = {**(dataclasses.asdict(customer) if customer else {}), **self.customer_form}
        f = self.customer_form

        def box(key, text, **kw):
            return ft.TextField(label=sh.t(text), value=base.get(key) or "", **kw,
                                on_change=lambda e: f.__setitem__(key, e.control.value))
        level = ft.Dropdown(label=sh.t("in_member_level"), value=base.get("member_level") or NONE, width=200,
                            options=[ft.DropdownOption(key=NONE, text=sh.t("in_no_level"))] +
                            [ft.DropdownOption(key=lv, text=label("member_level", lv, sh.lang))
                             for lv in MEMBER_LEVELS],
                            on_select=lambda e: f.__setitem__("member_level", e.control.value))

        def save(e):
            values = {k: base.get(k) or "" for k in ("name", "phone", "city", "address")}
            values.update({k: v for k, v in f.items() if k in values})
            lv = f.get("member_level", base.get("member_level"))
            ok, cid = sh.run(sh.services.intake.save_customer, sh.session, customer.id if customer else None,
                             member_level=None if lv in (None, NONE) else lv, done="in_customer_saved", **values)
            if ok:
                self.customer_id, self.editing, self.customer_form = cid, False, {}
                sh.render()
        actions = [ft.FilledButton(sh.t("in_save_customer"), icon=ft.Icons.SAVE, on_click=save)]
        if customer:
            actions.append(ft.TextButton(sh.t("cancel"), on_click=lambda e: self._edit(False)))
        return w.section(sh.t("in_edit_customer") if customer else sh.t("in_create_customer"),
                         ft.Row([box("name", "in_name", width=200), box("phone", "in_cphone", width=200),
                                 box("city", "in_city", width=140), level], wrap=True),
                         box("address", "in_address", width=640), ft.Row(actions))

    # ---- what they ask for ----

    def _request(self, card) -> ft.Control:
        sh = self.shell
        kinds = []
        for k in RequestType:
            text = label("request_type", str(k), sh.lang)
            kinds.append(ft.FilledButton(text, icon=ICONS[k], on_click=lambda e, k=k: self._kind(k))
                         if k == self.kind else
                         ft.OutlinedButton(text, icon=ICONS[k], on_click=lambda e, k=k: self._kind(k)))
        body: list[ft.Control] = [ft.Row([ft.Text(sh.t("in_request"), weight=ft.FontWeight.W_600), *kinds],
                                         spacing=10, wrap=True)]
        if self.kind in ORDER_REQUESTS:
            body += self._order_form(card)
        elif self.kind == RequestType.CONSULT:
            body += self._consult(card)
        elif self.kind in (RequestType.COMPLAINT, RequestType.PRAISE):
            body += self._feedback(card)
        return ft.Card(ft.Container(ft.Column(body, spacing=10), padding=16), margin=0)

    def _kind(self, kind: RequestType) -> None:
        self.reset_request()
        self.kind = kind
        self.shell.render()

    def _summary_box(self, **kw) -> ft.TextField:
        return ft.TextField(label=self.shell.t("in_summary"), value=self.summary, multiline=True, min_lines=2,
                            width=640, on_change=lambda e: setattr(self, "summary", e.control.value), **kw)

    def _order_form(self, card) -> list[ft.Control]:
        sh = self.shell
        f, c = self.form, card.customer
        last = card.orders[0] if card.orders else None
        defaults = {"product_model_id": last and last.product_model_id, "serial_no": last and last.serial_no,
                    "purchase_date": last and last.purchase_date, "priority": str(Priority.NORMAL),
                    "contact_name": c.name, "contact_phone": c.phone, "address": c.address}
        for k, v in defaults.items():
            f.setdefault(k, v or "")

        def box(key, text, **kw):
            return ft.TextField(label=sh.t(text), value=f.get(key) or "", **kw,
                                on_change=lambda e: f.__setitem__(key, e.control.value))

        def changed(key):
            def on(e):
                f[key] = e.control.value
                sh.render()
            return on
        models = sh.services.intake.models(sh.session)
        model = ft.Dropdown(label=sh.t("in_model"), value=f.get("product_model_id") or None, width=320,
                            enable_filter=True, editable=True, on_select=changed("product_model_id"),
                            options=[ft.DropdownOption(key=m.id, text=f"{m.code} {m.name}") for m in models])
        priority = ft.Dropdown(label=sh.t("in_priority"), value=f.get("priority"), width=140,
                               on_select=changed("priority"),
                               options=[ft.DropdownOption(key=str(p), text=label("priority", str(p), sh.lang))
                                        for p in Priority])
        controls = [ft.Row([model, box("serial_no", "in_serial", width=200),
                            box("purchase_date", "in_purchase", width=200),
                            priority], wrap=True),
                    self._fault_picker(box),
                    ft.Row([box("contact_name", "in_contact", width=160),
                            box("contact_phone", "in_contact_phone", width=180),
                            box("address", "in_order_address", width=420)], wrap=True)]
        if not f.get("product_model_id"):
            return controls + [w.muted(sh.t("in_suggest_hint"))]
        ok, suggestion = sh.run(sh.services.dispatch.suggest, sh.session, customer_id=card.id,
                                address=f.get("address") or None, product_model_id=f["product_model_id"])
        if not ok:
            return controls
        reason = ft.TextField(label=sh.t("in_override_reason"), value=self.reason, width=520,
                              on_change=lambda e: setattr(self, "reason", e.control.value))
        panel = suggestion_panel(sh, suggestion, lambda o, s: self._dispatch(card, o, s), reason,
                                 on_manual=lambda: self._dispatch(card, None, None, manual=True))
        return controls + [ft.Text(sh.t("in_suggest"), size=17, weight=ft.FontWeight.W_600), panel]

    def _fault_picker(self, box) -> ft.Control:
        """The fault from the fault categories and faults of the model's product category
        (master data), the agent's words beside it; a category with none yet: words only."""
        sh, f = self.shell, self.form
        groups = sh.services.intake.faults(sh.session, f.get("product_model_id") or None)
        if not groups:
            return box("fault_detail", "in_fault", width=640, multiline=True, min_lines=2)
        group = next((g for g in groups if g.id == f.get("fault_group")), None)
        if group is None and f.get("fault_code_id"):
            group = next((g for g in groups if any(c.id == f["fault_code_id"] for c in g.faults)), None)
        if group is None or not any(c.id == f.get("fault_code_id") for c in group.faults):
            f.pop("fault_code_id", None)

        def pick(key, value):
            def on(e):
                f[key] = value
                if key == "fault_group":
                    f.pop("fault_code_id", None)
                sh.render()
            return on

        def choice(text, on, selected):
            return ft.FilledButton(text, on_click=on) if selected else ft.OutlinedButton(text, on_click=on)
        rows = [ft.Row([ft.Text(sh.t("in_fault_group"), width=90),
                        *[choice(g.label, pick("fault_group", g.id), group is not None and g.id == group.id)
                          for g in groups]], wrap=True, spacing=8)]
        if group is not None:
            rows.append(ft.Row([ft.Text(sh.t("in_fault_pick"), width=90),
                                *[choice(c.label(sh.lang), pick("fault_code_id", c.id), c.id == f.get("fault_code_id"))
                                  for c in group.faults]], wrap=True, spacing=8))
        rows.append(box("fault_detail", "in_fault_detail", width=640))
        return ft.Column(rows, spacing=8)

    def _dispatch(self, card, outlet_id: str | None, suggested: str | None, manual: bool = False) -> None:
        sh = self.shell
        order = {k: v for k, v in self.form.items() if v not in (None, "") and k != "fault_group"}
        ok, rec = sh.run(sh.services.intake.record_request, sh.session, type=str(self.kind), customer_id=card.id,
                         phone=self.phone, order=order,
                         outlet_id=outlet_id, suggested_outlet_id=suggested, override_reason=self.reason,
                         manual_dispatch=manual)
        if not ok:
            return
        why = self.reason.strip()
        if manual:
            self._call_done(lambda: sh.t("in_saved_manual", number=rec.order_number))
        else:
            self._call_done(lambda: sh.t("in_dispatched", number=rec.order_number, outlet=rec.outlet_name) +
                            (sh.t("in_override_note", reason=why) if rec.override else ""))

    def _consult(self, card) -> list[ft.Control]:
        sh = self.shell
        query = ft.TextField(label=sh.t("in_kb_query"), value=self.kb_query, width=420, prefix_icon=ft.Icons.SEARCH,
                             on_submit=lambda e: self._kb(e.control.value))
        out = [self._summary_box(),
               ft.Row([query, ft.OutlinedButton(sh.t("in_kb_search"), on_click=lambda e: self._kb(query.value)),
                       ft.TextButton(sh.t("in_kb_unanswered"), on_click=lambda e: self._consulted(card, None, None))])]
        if self.kb_query:
            ok, hits = sh.run(sh.services.intake.search_kb, sh.session, self.kb_query)
            if ok and not hits:
                out.append(w.muted(sh.t("in_kb_none")))
            for h in (hits or []) if ok else []:
                text = ft.Text(h.snippet, size=13, color=ft.Colors.GREY_800)
                if h.id == self.kb_open:
                    shown, article = sh.run(sh.services.intake.article, sh.session, h.id)
                    if shown:
                        text = ft.Text(article.body, size=14, selectable=True)
                out.append(ft.Container(ft.Row([
                    ft.Column([ft.TextButton(h.title, on_click=lambda e, i=h.id: self._read(i)), text],
                              spacing=2, expand=True),
                    ft.FilledButton(sh.t("in_kb_answer"),
                                    on_click=lambda e, h=h: self._consulted(card, h.id, h.title))]),
                    border=ft.Border.all(1, ft.Colors.GREY_300), border_radius=8, padding=10))
        return out

    def _kb(self, text: str) -> None:
        self.kb_query, self.kb_open = (text or "").strip(), None
        self.shell.render()

    def _read(self, article_id: str) -> None:
        self.kb_open = None if self.kb_open == article_id else article_id
        self.shell.render()

    def _consulted(self, card, article_id: str | None, title: str | None) -> None:
        sh = self.shell
        ok, _ = sh.run(sh.services.intake.record_request, sh.session, type=str(RequestType.CONSULT),
                       customer_id=card.id, phone=self.phone, summary=self.summary or self.kb_query,
                       kb_article_id=article_id)
        if ok:
            self._call_done((lambda: sh.t("in_consult_done", title=title)) if title
                            else (lambda: sh.t("in_consult_plain")))

    def _feedback(self, card) -> list[ft.Control]:
        sh = self.shell
        orders = ft.Dropdown(label=sh.t("in_linked_order"), value=self.linked_order or NONE, width=360,
                             on_select=lambda e: setattr(self, "linked_order", e.control.value),
                             options=[ft.DropdownOption(key=NONE, text=sh.t("in_no_order"))] +
                             [ft.DropdownOption(key=o.id, text=f"{o.number} {o.type_label} {o.model_code}")
                              for o in card.orders])
        out = [self._summary_box(autofocus=True)]
        if self.kind == RequestType.COMPLAINT:
            depts = sh.services.complaints.departments(sh.session)
            out.append(ft.Row([
                ft.Dropdown(label=sh.t("in_department"), value=self.department, width=220,
                            on_select=lambda e: setattr(self, "department", e.control.value),
                            options=[ft.DropdownOption(key=d.id, text=d.name) for d in depts]),
                ft.RadioGroup(value=self.severity, on_change=lambda e: setattr(self, "severity", e.control.value),
                              content=ft.Row([ft.Radio(value=str(s), label=sh.t(f"in_sev_{s}")) for s in Severity])),
                orders], wrap=True))
            out.append(ft.FilledButton(sh.t("in_submit_complaint"), icon=ft.Icons.SEND,
                                       on_click=lambda e: self._feedback_done(card)))
        else:
            out += [orders, ft.FilledButton(sh.t("in_submit_praise"), icon=ft.Icons.THUMB_UP,
                                            on_click=lambda e: self._feedback_done(card))]
        return out

    def _feedback_done(self, card) -> None:
        sh = self.shell
        linked = None if self.linked_order in (None, NONE) else self.linked_order
        kw = {"department_id": self.department, "severity": self.severity} if self.kind == RequestType.COMPLAINT else {}
        ok, rec = sh.run(sh.services.intake.record_request, sh.session, type=str(self.kind), customer_id=card.id,
                         phone=self.phone, summary=self.summary, order_id=linked, **kw)
        if not ok:
            return
        if rec.complaint_id:
            self._call_done(lambda: sh.t("in_complaint_done", department=rec.department_name(sh.lang),
                                         deadline=when(rec.deadline_at, sh.lang)))
        else:
            self._call_done(lambda: sh.t("in_praise_done"))

