"""The departments' complaint queues (services.complaints) and a complaint's handling
(services.complaint_work): the queue, nearest deadline first, overdue ones highlighted;
"Open" shows the complaint with its history and the steps — assign, transfer, escalate,
record a contact, resolve (with the complaint survey). Refusals are shown in words in the
dialog, which stays open."""
import flet as ft

from shared import callbacks as cb
from shared.complaints import ComplaintStatus
from shared.errors import ServiceError
from shared.formatting import when
from shared.ui import widgets as w

from hub.services.complaints import Complaint, ComplaintRecord

ANY = "*"
MINE = "mine"


class ComplaintsView:
    screen = "complaints"

    def __init__(self, shell):
        self.shell = shell
        self.department = ANY
        self.status = str(ComplaintStatus.OPEN)
        self.whose = ANY
        self.selected: str | None = None

    def build(self) -> ft.Control:
        if self.selected:
            return self._record(self.shell.services.complaints.record(self.shell.session, self.selected))
        return self._queue()

    # ---- the queue ----

    def _queue(self) -> ft.Control:
        sh = self.shell
        svc = sh.services.complaints
        departments = svc.departments(sh.session)
        rows = svc.queue(sh.session, None if self.department == ANY else self.department, self.status,
                         assignee_id=sh.session.user_id if self.whose == MINE else None)

        def pick(attr):
            def handler(e):
                setattr(self, attr, e.control.value)
                sh.render()
            return handler

        filters = ft.Row([
            ft.Dropdown(label=sh.t("cq_department"), value=self.department, width=220, dense=True,
                        on_select=pick("department"),
                        options=[ft.DropdownOption(key=ANY, text=sh.t("cq_all_departments"))]
                        + [ft.DropdownOption(key=d.id, text=d.name) for d in departments]),
            ft.Dropdown(label=sh.t("cq_status"), value=self.status, width=160, dense=True, on_select=pick("status"),
                        options=[ft.DropdownOption(key=str(ComplaintStatus.OPEN), text=sh.t("cq_open")),
                                 ft.DropdownOption(key=str(ComplaintStatus.RESOLVED), text=sh.t("cq_resolved"))]),
            ft.Dropdown(label=sh.t("cq_whose"), value=self.whose, width=160, dense=True, on_select=pick("whose"),
                        options=[ft.DropdownOption(key=ANY, text=sh.t("cq_everyone")),
                                 ft.DropdownOption(key=MINE, text=sh.t("cq_mine"))]),
        ], spacing=12, wrap=True)
        late = sum(1 for r in rows if r.overdue)
        table_rows = []
        for r in rows:
            cells = [when(r.deadline_at, sh.lang), self._flag(r), r.department_name,
                     sh.t(f"cq_sev_{r.severity}") + (sh.t("cq_level_n", n=r.level) if r.level else ""),
                     r.assignee_name or "—", sh.t(f"cq_src_{r.source}"), r.customer_name, r.order_number,
                     ft.Text(r.summary, width=300),
                     ft.TextButton(sh.t("cq_open_one"), on_click=lambda e, c=r: self._select(c.id))]
            table_rows.append(ft.DataRow([ft.DataCell(c if isinstance(c, ft.Control) else ft.Text(str(c)))
                                          for c in cells], color=ft.Colors.RED_50 if r.overdue else None))
        cols = ["cq_deadline", "cq_status", "cq_department", "cq_severity", "cq_assignee", "cq_source",
                "cb_customer", "cb_order", "cq_summary", ""]
        body = ft.Row([ft.DataTable(columns=[ft.DataColumn(ft.Text(sh.t(c) if c else "", weight=ft.FontWeight.W_600))
                                             for c in cols], rows=table_rows, heading_row_height=40,
                                    data_row_min_height=44, data_row_max_height=88, column_spacing=16)],
                      scroll=ft.ScrollMode.AUTO) if table_rows else w.muted(sh.t("cq_none"))
        return ft.Column([w.title(sh.t("cq_title")), filters,
                          w.section(sh.t("cq_n", n=len(rows), late=late), body)],
                         spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _flag(self, r: Complaint) -> ft.Control:
        sh = self.shell
        if r.overdue:
            return w.chip(sh.t("cq_overdue"), ft.Colors.RED_700)
        if r.status == ComplaintStatus.OPEN:
            return w.chip(sh.t("cq_due"), ft.Colors.GREEN_700)
        return w.chip(sh.t("cq_resolved"), ft.Colors.BLUE_GREY_600)

    def _status_text(self, r: Complaint) -> str:
        sh = self.shell
        return sh.t("cq_overdue" if r.overdue else "cq_open" if r.status == ComplaintStatus.OPEN else "cq_resolved")

    def _select(self, complaint_id: str | None) -> None:
        self.selected = complaint_id
        self.shell.render()

    # ---- one complaint ----

    def _record(self, rec: ComplaintRecord) -> ft.Control:
        sh, c = self.shell, rec.complaint
        info = [w.kv(sh.t("cq_status"), self._status_text(c)), w.kv(sh.t("cq_deadline"), when(c.deadline_at, sh.lang)),
                w.kv(sh.t("cq_department"), c.department_name),
                w.kv(sh.t("cq_severity"), sh.t(f"cq_sev_{c.severity}")),
                w.kv(sh.t("cq_level"), sh.t("cq_level_is", n=c.level) if c.level else sh.t("cq_level_0")),
                w.kv(sh.t("cq_assignee"), c.assignee_name or "—"), w.kv(sh.t("cq_source"), sh.t(f"cq_src_{c.source}")),
                w.kv(sh.t("cb_customer"), c.customer_name or "—"), w.kv(sh.t("cb_order"), c.order_number or "—"),
                w.kv(sh.t("cq_summary"), c.summary)]
        if c.status == ComplaintStatus.RESOLVED:
            info.append(w.kv(sh.t("cq_resolution"), c.resolution))
            if c.survey_score is not None:
                info.append(w.kv(sh.t("cq_survey_score"), sh.t("cq_points", n=c.survey_score)))
        history = w.table([sh.t("cq_when"), sh.t("cq_step"), sh.t("cq_by"), sh.t("cq_detail")],
                          [[when(s.at, sh.lang), sh.t(f"cq_step_{s.kind}"), s.by_name or "—",
                            ft.Text(self._detail(s), width=420)] for s in rec.steps])
        back = ft.TextButton(sh.t("cq_back"), icon=ft.Icons.ARROW_BACK, on_click=lambda e: self._select(None))
        actions = []
        if c.status == ComplaintStatus.OPEN:
            actions = [ft.OutlinedButton(sh.t("cq_assign"), on_click=lambda e: self._assign(c)),
                       ft.OutlinedButton(sh.t("cq_transfer"), on_click=lambda e: self._transfer(c)),
                       ft.OutlinedButton(sh.t("cq_escalate"), on_click=lambda e: self._escalate(c)),
                       ft.OutlinedButton(sh.t("cq_contact"), on_click=lambda e: self._contact(c)),
                       ft.FilledButton(sh.t("cq_resolve"), on_click=lambda e: self._resolve(rec))]
        return ft.Column([ft.Row([back, w.title(sh.t("cq_one", summary=_short(c.summary)))], spacing=8),
                          ft.Row(actions, spacing=8, wrap=True),
                          w.section(sh.t("cq_facts"), *info), w.section(sh.t("cq_history"), history)],
                         spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _detail(self, s) -> str:
        sh = self.shell
        if s.kind == "contact":
            return sh.t("cq_contact_line", feedback=s.feedback, answer=s.answer)
        parts = [x for x in (s.department_name if s.kind in ("transferred", "opened") else "", s.assignee_name,
                             sh.t("cq_level_is", n=s.level) if s.level else "", s.reason) if x]
        return " · ".join(parts)

    # ---- the steps ----

    def _dialog(self, title: str, fields: list[ft.Control], call, done_text: str) -> None:
        sh = self.shell

        def ok():
            try:
                call()
            except ServiceError as exc:
                return exc.message(sh.lang)  # shown in the dialog, which stays open
            sh.render()
            sh.toast(done_text)
            return None

        sh.page.show_dialog(w.form_dialog(title, fields, sh.t("confirm"), sh.t("cancel"), ok, scroll=True))

    def _assign(self, c: Complaint) -> None:
        sh = self.shell
        work = sh.services.complaint_work
        # HQ's handlers are a handful: radios, each named by its person (a dropdown's label is painted)
        who = ft.RadioGroup(value=c.assignee_id, content=ft.Column(
            [ft.Radio(value=h.id, label=h.name) for h in work.handlers(sh.session)], spacing=0))
        self._dialog(sh.t("cq_assign"), [ft.Text(sh.t("cq_assignee")), who],
                     lambda: work.assign(sh.session, c.id, who.value or ""), sh.t("cq_assigned_ok"))

    def _transfer(self, c: Complaint) -> None:
        sh = self.shell
        departments = [d for d in sh.services.complaints.departments(sh.session) if d.id != c.department_id]
        to = ft.RadioGroup(content=ft.Column([ft.Radio(value=d.id, label=d.name) for d in departments], spacing=0))
        reason = ft.TextField(label=sh.t("cq_reason"), multiline=True, min_lines=2)
        self._dialog(sh.t("cq_transfer"), [ft.Text(sh.t("cq_to_department")), to, reason],
                     lambda: sh.services.complaint_work.transfer(sh.session, c.id, to.value or "", reason.value or ""),
                     sh.t("cq_transferred_ok"))

    def _escalate(self, c: Complaint) -> None:
        sh = self.shell
        reason = ft.TextField(label=sh.t("cq_reason"), multiline=True, min_lines=2, autofocus=True)
        self._dialog(sh.t("cq_escalate"), [reason],
                     lambda: sh.services.complaint_work.escalate(sh.session, c.id, reason.value or ""),
                     sh.t("cq_escalated_ok"))

    def _contact(self, c: Complaint) -> None:
        sh = self.shell
        told = ft.TextField(label=sh.t("cq_feedback"), multiline=True, min_lines=2, autofocus=True)
        said = ft.TextField(label=sh.t("cq_answer"), multiline=True, min_lines=2)
        self._dialog(sh.t("cq_contact"), [told, said],
                     lambda: sh.services.complaint_work.contact(sh.session, c.id, told.value or "", said.value or ""),
                     sh.t("cq_contact_ok"))

    def _resolve(self, rec: ComplaintRecord) -> None:
        sh = self.shell
        outcome = ft.TextField(label=sh.t("cq_outcome"), multiline=True, min_lines=2, autofocus=True)
        groups = []
        fields: list[ft.Control] = [outcome]
        if rec.survey:
            fields.append(ft.Text(sh.t("cq_survey"), weight=ft.FontWeight.W_600))
        for i, q in enumerate(rec.survey):
            if q.kind == cb.QuestionKind.SCALE:
                options = [ft.Radio(value=str(v), label=str(v)) for v in range(q.lo, q.hi + 1)]
            else:
                options = [ft.Radio(value=cb.YES, label=sh.t("cb_yes")), ft.Radio(value=cb.NO, label=sh.t("cb_no"))]
            group = ft.RadioGroup(content=ft.Row(options, spacing=4, wrap=True))
            groups.append((q, group))
            fields += [ft.Text(f"{i + 1}. {q.text}"), group]

        def answers():
            out = []
            for q, g in groups:
                v = g.value
                out.append(int(v) if v and q.kind == cb.QuestionKind.SCALE else v)
            return out

        self._dialog(sh.t("cq_resolve_title", summary=_short(rec.complaint.summary)), fields,
                     lambda: sh.services.complaint_work.resolve(sh.session, rec.complaint.id, outcome.value or "",
                                                                answers()),
                     sh.t("cq_resolved_ok"))


def _short(text: str) -> str:
    return text if len(text) <= 24 else text[:24] + "…"
