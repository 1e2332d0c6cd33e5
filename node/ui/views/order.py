"""One order: customer (masked phone, "show number"), appliance and warranty, fault, SLA,
timeline, parts used, attachments (each opens again in a viewer), and the buttons for
exactly the actions the service says this person may take now (dialogs in
order_dialogs.py). Two columns of cards on a tablet or desk, one on a phone
(a ResponsiveRow): no card is narrower than its text."""
import flet as ft

from shared.formatting import span, when
from shared.labels import heading

from shared.ui import widgets as w
from node.ui.views import order_dialogs as dialogs


class OrderView:
    screen = "orders"

    def __init__(self, shell, order_id: str, back=None):
        self.shell, self.order_id, self.back = shell, order_id, back
        self.phone: str | None = None  # revealed for this view only

    def build(self) -> ft.Control:
        sh = self.shell
        d = sh.services.order.get(sh.session, self.order_id)
        self.detail = d
        head = ft.Row([
            ft.IconButton(ft.Icon(ft.Icons.ARROW_BACK, semantics_label=sh.t("back")), tooltip=sh.t("back"),
                          on_click=lambda e: self._back()),
            ft.Text(d.number, size=20 if sh.compact else 22, weight=ft.FontWeight.BOLD),
            w.status_chip(d.status, d.status_label),
            *([w.muted(sh.t("status_pending"), italic=True)] if d.status_pending else []),
            w.chip(d.type_label, ft.Colors.BLUE_GREY_400),
            *([w.chip(d.priority_label, ft.Colors.RED_600)] if d.urgent else []),
            *([w.chip(sh.t("overdue"), ft.Colors.RED_700)] if d.overdue else []),
            *self._articles(),
        ], wrap=True)
        left = ft.Column([self._customer(d), self._appliance(d), self._fault(d), self._parts(d)], spacing=12,
                         col={"xs": 12, "md": 6}, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        right = ft.Column([self._sla(d), self._timeline(d), self._attachments(d)], spacing=12,
                          col={"xs": 12, "md": 6}, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        return ft.Column([head, self._actions(d),
                          ft.ResponsiveRow([left, right], spacing=12, run_spacing=12,
                                           vertical_alignment=ft.CrossAxisAlignment.START)],
                         spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _back(self) -> None:
        from node.ui.views.orders import OrdersView
        self.shell.show(self.back or OrdersView(self.shell))

    # ---- sections ----

    def _customer(self, d) -> ft.Control:
        """The number shows masked; "show number" reveals it for this view (recorded on
        the device, listed below it) until hidden or the order is left."""
        sh = self.shell
        phone = ft.Text(self.phone or d.phone_masked or "—", weight=ft.FontWeight.W_500 if self.phone else None)
        if self.phone is None:
            toggle = ft.TextButton(sh.t("show_phone"), icon=ft.Icons.PHONE, on_click=lambda e: self._reveal(),
                                   visible=bool(d.phone_masked))
        else:
            toggle = ft.TextButton(sh.t("hide_phone"), icon=ft.Icons.VISIBILITY_OFF, on_click=lambda e: self._hide())
        rows = [w.kv(sh.t("customer"), d.customer_name),
                ft.Row([ft.Text(heading("field", "contact_phone", sh.lang), color=ft.Colors.GREY_700, width=110),
                        phone, toggle], wrap=True, run_spacing=0),
                w.kv(heading("field", "address", sh.lang), d.address)]
        if d.member_level:
            rows.append(w.kv(sh.t("member"), d.member_level))
        if d.phone_reveals:
            who = sh.t("list_sep").join(f"{r.name} {when(r.at, sh.lang)}" for r in d.phone_reveals[:3])
            rows.append(w.muted(sh.t("phone_seen", who=who), size=12))
        return w.section(sh.t("customer"), *rows)

    def _reveal(self) -> None:
        ok, number = self.shell.run(self.shell.services.order.reveal_phone, self.shell.session, self.order_id)
        if ok:
            self.phone = number or "—"
            self.shell.render()

    def _hide(self) -> None:
        self.phone = None
        self.shell.render()

    def _appliance(self, d) -> ft.Control:
        sh = self.shell
        color = {"in": ft.Colors.GREEN_700, "out": ft.Colors.RED_700}.get(d.warranty, ft.Colors.GREY_700)
        return w.section(sh.t("appliance"),
                         w.kv(sh.t("model"), f"{d.model_name} {d.model_code}".strip()),
                         w.kv(sh.t("serial"), d.serial_no),
                         w.kv(sh.t("purchase_date"), d.purchase_date),
                         ft.Row([ft.Text(sh.t("warranty"), color=ft.Colors.GREY_700, width=110),
                                 ft.Text(d.warranty_text, color=color, weight=ft.FontWeight.W_600)]))

    def _fault(self, d) -> ft.Control:
        sh = self.shell
        rows = [w.kv(sh.t("fault"), d.fault_description), w.kv(sh.t("fault_code"), d.fault_code),
                w.kv(sh.t("technician"), d.technician_name or sh.t("unassigned")),
                w.kv(sh.t("appointment"), when(d.appointment_at, sh.lang) if d.appointment_at else "")]
        if d.notes:
            rows.append(w.kv(heading("field", "notes", sh.lang), d.notes))
        if d.resolution:
            rows.append(w.kv(sh.t("resolution"), d.resolution))
        return w.section(sh.t("fault"), *rows)

    def _articles(self) -> list[ft.Control]:
        """The knowledge base's articles for this model and fault code, one tap away: a
        button in the order's head line, where it is always on screen (inside the fault's
        card, the card's texts would become one group for a screen reader)."""
        from node.ui.views.kb import KbView
        sh = self.shell
        n = len(sh.services.kb.for_order(sh.session, self.order_id).hits)
        if not n:
            return []
        return [ft.OutlinedButton(sh.t("kb_for_order", n=n), icon=ft.Icons.MENU_BOOK,
                                  on_click=lambda e: sh.show(KbView(sh, self.order_id, back=self)))]

    def _sla(self, d) -> ft.Control:
        sh, lang = self.shell, self.shell.lang
        rows = []
        for line in d.sla:
            if line.met:
                text, color = sh.t("met_at", t=when(line.met_at, lang)), ft.Colors.GREEN_700
                if line.breached:
                    text, color = text + f" · {sh.t('breached')}", ft.Colors.RED_700
            elif line.remaining_ms is not None and line.remaining_ms < 0:
                text, color = sh.t("overdue_by", what="", t=span(line.remaining_ms, lang)), ft.Colors.RED_700
            elif line.remaining_ms is not None:
                text, color = sh.t("due_in", what="", t=span(line.remaining_ms, lang)), ft.Colors.GREEN_800
            else:
                text, color = "", ft.Colors.GREY_700
            due = sh.t("due", t=when(line.due_at, lang)) if line.due_at else ""
            rows.append(ft.Row([ft.Text(line.label, width=110, color=ft.Colors.GREY_700),
                                ft.Text(due), ft.Text(text, color=color, weight=ft.FontWeight.W_600)],
                               wrap=True, spacing=12, run_spacing=2))
        if d.sla_paused:
            rows.append(ft.Text(sh.t("sla_paused"), color=ft.Colors.AMBER_900))
        return w.section(sh.t("sla"), *(rows or [w.muted(sh.t("none"))]))

    def _timeline(self, d) -> ft.Control:
        sh = self.shell
        rows = [ft.Row([ft.Text(when(e.at, sh.lang), width=140, color=ft.Colors.GREY_700),
                        w.status_chip(e.status, e.status_label),
                        *([ft.Text(e.actor_name)] if e.actor_name else []),
                        *([ft.Text(e.reason, italic=True)] if e.reason else [])],
                       wrap=True, spacing=10, run_spacing=2) for e in d.timeline]
        return w.section(sh.t("timeline"), *(rows or [w.muted(sh.t("none"))]))

    def _parts(self, d) -> ft.Control:
        sh = self.shell
        rows = []
        for p in d.parts:
            warranty = sh.t("in_warranty") if p.in_warranty else sh.t("out_warranty")
            extra = [w.muted(sh.t("returned"))] if p.returned else [
                ft.TextButton(sh.t("return_old"), on_click=lambda e, pid=p.id: self._return(pid))]
            rows.append(ft.Row([ft.Text(p.text, weight=ft.FontWeight.W_500),
                                w.chip(warranty, ft.Colors.GREEN_700 if p.in_warranty else ft.Colors.GREY_600),
                                w.muted(f"{sh.t('labelled', k=sh.t('old_serial'), v=p.old_serial or '—')}  "
                                        f"{sh.t('labelled', k=sh.t('new_serial'), v=p.new_serial or '—')}", size=13),
                                *extra], wrap=True))
        use = d.action("use_part")
        add = [ft.FilledTonalButton(sh.t("add_part"), icon=ft.Icons.ADD, on_click=lambda e: dialogs.use_part(self, use))
               ] if use else []
        return w.section(sh.t("parts_used"), *(rows or [w.muted(sh.t("no_parts"))]), actions=add)

    def _return(self, order_part_id: str) -> None:
        ok, _ = self.shell.run(self.shell.services.parts.return_defective, self.shell.session, order_part_id,
                               done="saved")
        if ok:
            self.shell.render()

    def _attachments(self, d) -> ft.Control:
        sh = self.shell
        rows = [ft.TextButton(f"{a.kind_label} · {when(a.at, sh.lang)} · {a.size // 1024 or 1} KB",
                              icon=ft.Icons.IMAGE if a.kind == "photo" else ft.Icons.DRAW,
                              tooltip=sh.t("open_attachment"),
                              on_click=lambda e, aid=a.id: dialogs.view_attachment(self, aid))
                for a in d.attachments]
        acts = []
        if d.action("attach"):
            picker = sh.picker("attach", lambda files: dialogs.attach_photos(self, files))
            acts = [dialogs.photo_button(sh, picker, sh.t("attach_photo")),
                    ft.TextButton(sh.t("attach_signature"), icon=ft.Icons.DRAW,
                                  on_click=lambda e: dialogs.signature(self))]
        return w.section(sh.t("attachments"), *(rows or [w.muted(sh.t("none"))]),
                         *([ft.Row(acts, wrap=True)] if acts else []))

    def _actions(self, d) -> ft.Control:
        buttons = []
        for act in d.actions:
            if act.key in ("use_part", "attach"):  # the parts and attachments sections have their buttons
                continue
            style = ft.OutlinedButton if act.key in ("declined", "waiting_parts", "edit_order") else ft.FilledButton
            buttons.append(style(act.label, icon=dialogs.ICONS.get(act.key),
                                 on_click=lambda e, a=act: dialogs.run(self, a)))
        return ft.Row(buttons, wrap=True, spacing=10)
