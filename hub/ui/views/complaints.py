"""The departments' complaint queues (services.complaints): a department's open complaints,
the nearest deadline first, overdue ones highlighted; "Resolve" records the outcome."""
import flet as ft

from shared.complaints import ComplaintStatus
from shared.errors import ServiceError
from shared.formatting import when
from shared.ui import widgets as w

from hub.services.complaints import Complaint

ANY = "*"


class ComplaintsView:
    screen = "complaints"

    def __init__(self, shell):
        self.shell = shell
        self.department = ANY
        self.status = str(ComplaintStatus.OPEN)

    def build(self) -> ft.Control:
        sh = self.shell
        svc = sh.services.complaints
        departments = svc.departments(sh.session)
        rows = svc.queue(sh.session, None if self.department == ANY else self.department, self.status)

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
        ], spacing=12)
        late = sum(1 for r in rows if r.overdue)
        table_rows = []
        for r in rows:
            flag = w.chip(sh.t("cq_overdue"), ft.Colors.RED_700) if r.overdue else (
                w.chip(sh.t("cq_due"), ft.Colors.GREEN_700) if r.status == ComplaintStatus.OPEN else w.muted("—"))
            action = ft.TextButton(sh.t("cq_resolve"), on_click=lambda e, c=r: self._resolve(c)) \
                if r.status == ComplaintStatus.OPEN else ft.Text(r.resolution)
            cells = [when(r.deadline_at, sh.lang), flag, r.department_name,
                     sh.t(f"cq_sev_{r.severity}"), sh.t(f"cq_src_{r.source}"), r.customer_name,
                     r.order_number, ft.Text(r.summary, width=320), action]
            table_rows.append(ft.DataRow([ft.DataCell(c if isinstance(c, ft.Control) else ft.Text(str(c)))
                                          for c in cells], color=ft.Colors.RED_50 if r.overdue else None))
        cols = ["cq_deadline", "cq_status", "cq_department", "cq_severity", "cq_source", "cb_customer", "cb_order",
                "cq_summary", ""]
        body = ft.Row([ft.DataTable(columns=[ft.DataColumn(ft.Text(sh.t(c) if c else "", weight=ft.FontWeight.W_600))
                                             for c in cols], rows=table_rows, heading_row_height=40,
                                    data_row_min_height=44, data_row_max_height=88, column_spacing=18)],
                      scroll=ft.ScrollMode.AUTO) if table_rows else w.muted(sh.t("cq_none"))
        return ft.Column([w.title(sh.t("cq_title")), filters,
                          w.section(sh.t("cq_n", n=len(rows), late=late), body)],
                         spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _resolve(self, c: Complaint) -> None:
        sh = self.shell
        outcome = ft.TextField(label=sh.t("cq_outcome"), multiline=True, min_lines=2, autofocus=True)

        def ok():
            try:
                sh.services.complaints.resolve(sh.session, c.id, outcome.value or "")
            except ServiceError as exc:
                return exc.message(sh.lang)  # shown in the dialog, which stays open
            sh.render()
            sh.toast(sh.t("cq_resolved_ok"))
            return None

        summary = c.summary if len(c.summary) <= 24 else c.summary[:24] + "…"
        sh.page.show_dialog(w.form_dialog(sh.t("cq_resolve_title", summary=summary), [outcome],
                                          sh.t("confirm"), sh.t("cancel"), ok))
