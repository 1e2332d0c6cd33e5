"""The dispatch screen: orders waiting for HQ (declined by their outlet, with the reason,
or never dispatched), each re-dispatched from a suggestion that leaves out the outlets
that declined it, or cancelled with a reason. An order found by its number opens its
actions: take it back from its outlet and re-dispatch it (with a reason), note an action
(and notify the outlet), cancel; with HQ's notes and the old outlet's refused late work.
`suggestion_panel` (the candidates with
their reasons and score, the outlets left out and why, confirm or override) is shared
with the call-intake screen."""
import flet as ft

from shared.errors import ServiceError
from shared.formatting import when
from shared.labels import label
from shared.ui import widgets as w

from hub.services.dispatch import OrderAtHq, QueuedOrder


def suggestion_panel(sh, suggestion, on_pick, reason_field: ft.TextField, on_manual=None) -> ft.Control:
    """`on_pick(outlet_id, suggested_outlet_id)`: the agent chose this outlet; `on_manual()`:
    save the order without an outlet, for manual dispatch (offered when none fits)."""
    best = suggestion.best
    rows: list[ft.Control] = []
    if best is None:
        rows.append(ft.Text(sh.t("in_no_candidates"), color=ft.Colors.RED_800))
        if on_manual is not None:
            rows.append(ft.OutlinedButton(sh.t("in_save_manual"), icon=ft.Icons.SCHEDULE_SEND,
                                          on_click=lambda e: on_manual()))
    for i, c in enumerate(suggestion.candidates):
        head = [ft.Text(f"{c.code} {c.name}", size=16, weight=ft.FontWeight.W_600),
                w.chip(sh.t("in_score", score=c.score), ft.Colors.INDIGO_400)]
        if i == 0:
            head.append(w.chip(sh.t("in_suggested"), ft.Colors.GREEN_700))
        button = (ft.FilledButton(sh.t("in_confirm_dispatch"), icon=ft.Icons.SEND,
                                  on_click=lambda e, o=c.outlet_id: on_pick(o, o)) if i == 0 else
                  ft.OutlinedButton(sh.t("in_pick_other"),
                                    on_click=lambda e, o=c.outlet_id: on_pick(o, best.outlet_id)))
        rows.append(ft.Container(ft.Row([
            ft.Column([ft.Row(head, spacing=8),
                       *[ft.Text("· " + r, size=14) for r in c.why(sh.lang)]], spacing=2, expand=True),
            button], vertical_alignment=ft.CrossAxisAlignment.CENTER),
            bgcolor=ft.Colors.GREEN_50 if i == 0 else None, border_radius=8, padding=10,
            border=ft.Border.all(1, ft.Colors.GREY_300)))
    rows.append(reason_field)
    if suggestion.excluded:
        rows.append(ft.Text(sh.t("in_excluded"), weight=ft.FontWeight.W_600, color=ft.Colors.GREY_800))
        for x in suggestion.excluded:
            rows.append(ft.Row([
                ft.Text(f"{x.code} {x.name}", width=220, color=ft.Colors.GREY_700),
                ft.Text(x.why_line(sh.lang), color=ft.Colors.GREY_700, expand=True),
                ft.TextButton(sh.t("in_pick_other"),
                              on_click=lambda e, o=x.outlet_id: on_pick(o, best.outlet_id if best else None))]))
    return ft.Column(rows, spacing=8)


class DispatchView:
    screen = "in_nav_dispatch"

    def __init__(self, shell):
        self.shell = shell
        self.order_id: str | None = None
        self.acting: str | None = None      # the order found by number: its actions page
        self.taking_back = False
        self.reason = ""
        self.number = ""

    def build(self) -> ft.Control:
        sh = self.shell
        if self.order_id:
            return self._redispatch()
        if self.acting:
            return self._actions()
        queue = sh.services.dispatch.queue(sh.session)
        rows = [[o.number, o.customer_name, o.city, o.model_code,
                 o.outlet_code or "—", o.decline_reason or "—", when(o.created_at, sh.lang),
                 w.status_chip(o.status, o.status_label),
                 ft.Row([ft.FilledButton(sh.t("in_redispatch"), on_click=lambda e, i=o.id: self._open(i)),
                         ft.TextButton(sh.t("in_cancel_order"), on_click=lambda e, r=o: self._cancel(r))])]
                for o in queue]
        table = w.table([sh.t("in_col_number"), sh.t("in_name"), sh.t("in_city"), sh.t("in_col_model"),
                         sh.t("in_declined_by"), sh.t("in_decline_reason"), sh.t("in_col_created"),
                         sh.t("in_col_status"), ""], rows) if rows else w.muted(sh.t("in_queue_empty"))
        number = ft.TextField(label=sh.t("in_find_order"), value=self.number, width=320,
                              on_submit=lambda e: self._find(e.control.value))
        return ft.Column([
            w.title(sh.t("in_dispatch_title")),
            w.section(sh.t("in_queue"), table),
            # The field in a card of its own: Flutter folds a card's texts into the label of a
            # text field inside it (and the screen reader and the tests lose the field's label).
            ft.Text(sh.t("in_order_actions"), size=17, weight=ft.FontWeight.W_600),
            ft.Card(ft.Container(ft.Row([number, ft.OutlinedButton(
                sh.t("in_find"), icon=ft.Icons.SEARCH, on_click=lambda e: self._find(number.value))]), padding=16),
                margin=0),
        ], spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)

    def _open(self, order_id: str | None) -> None:
        self.order_id, self.reason = order_id, ""
        self.shell.render()

    def _redispatch(self) -> ft.Control:
        sh = self.shell
        ok, order = sh.run(sh.services.dispatch.order, sh.session, self.order_id)
        if ok:
            ok, suggestion = sh.run(sh.services.dispatch.suggest_for, sh.session, self.order_id)
        if not ok:
            self.order_id = None
            return self.build()
        reason = ft.TextField(label=sh.t("in_override_reason"), value=self.reason, width=520,
                              on_change=lambda e: setattr(self, "reason", e.control.value))

        def pick(outlet_id, suggested):
            done, moved = sh.run(sh.services.dispatch.redispatch, sh.session, self.order_id, outlet_id,
                                 suggested_outlet_id=suggested, override_reason=reason.value)
            if done:
                sh.toast(sh.t("in_redispatched", number=moved.number, outlet=moved.outlet_name))
                self._open(None)

        history = sh.services.dispatch.history(sh.session, self.order_id)
        return ft.Column([
            ft.Row([ft.IconButton(ft.Icons.ARROW_BACK, tooltip=sh.t("in_back"), on_click=lambda e: self._open(None)),
                    w.title(f"{order.number} · {sh.t('in_redispatch')}")]),
            w.section(order.number,
                      w.kv(sh.t("in_col_status"), order.status_label),
                      w.kv(sh.t("in_decline_reason"), order.decline_reason),
                      w.kv(sh.t("in_order_address"), order.address),
                      w.kv(sh.t("in_fault"), order.fault_description)),
            w.section(sh.t("in_suggest"), suggestion_panel(sh, suggestion, pick, reason)),
            w.section(sh.t("in_dispatches"), w.table(
                [sh.t("in_col_created"), sh.t("in_col_outlet"), sh.t("in_suggested"), sh.t("in_col_reason")],
                [[when(d.at, sh.lang), d.outlet_code, d.suggested_code, d.reason or "—"] for d in history])),
        ], spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)

    def _find(self, number: str) -> None:
        sh = self.shell
        self.number = (number or "").strip()
        ok, order = sh.run(sh.services.dispatch.find, sh.session, self.number)
        if ok:
            self.acting, self.taking_back, self.reason = order.id, False, ""
            sh.render()

    def _back(self) -> None:
        self.acting, self.taking_back = None, False
        self.shell.render()

    def _actions(self) -> ft.Control:
        """One order found by number: where it is, HQ's notes, the old outlets' late work,
        and what HQ can do — take it back and re-dispatch it, note an action, cancel."""
        sh = self.shell
        acts = sh.services.order_actions
        ok, order = sh.run(sh.services.dispatch.order, sh.session, self.acting)
        if not ok:
            self.acting = None
            return self.build()
        buttons = ft.Row([ft.FilledButton(sh.t("in_take_back"), icon=ft.Icons.UNDO,
                                          on_click=lambda e: self._start_take_back()),
                          ft.OutlinedButton(sh.t("in_note"), icon=ft.Icons.EDIT_NOTE,
                                            on_click=lambda e: self._note(order)),
                          ft.TextButton(sh.t("in_cancel_order"), on_click=lambda e: self._cancel(order))], wrap=True)
        parts: list[ft.Control] = [
            ft.Row([ft.IconButton(ft.Icons.ARROW_BACK, tooltip=sh.t("in_back"), on_click=lambda e: self._back()),
                    w.title(f"{order.number} · {sh.t('in_order_actions')}")]),
            w.section(order.number, w.kv(sh.t("in_col_status"), order.status_label),
                      w.kv(sh.t("in_col_outlet_now"), order.outlet_name or "—"),
                      w.kv(sh.t("in_order_address"), order.address), w.kv(sh.t("in_fault"), order.fault_description),
                      buttons)]
        if self.taking_back:
            ok, suggestion = sh.run(sh.services.dispatch.suggest_for, sh.session, self.acting)
            why = ft.TextField(label=sh.t("in_take_back_reason"), value=self.reason, width=520,
                               on_change=lambda e: setattr(self, "reason", e.control.value))
            override = ft.TextField(label=sh.t("in_override_reason"), width=520)

            def pick(outlet_id, suggested):
                done, moved = sh.run(acts.take_back, sh.session, self.acting, why.value or "", outlet_id,
                                     suggested_outlet_id=suggested, override_reason=override.value)
                if done:
                    self.taking_back, self.reason = False, ""
                    sh.render()
                    sh.toast(sh.t("in_taken_back", number=moved.number, outlet=moved.outlet_name))
            if ok:
                current = [c for c in suggestion.candidates if c.outlet_id != order.outlet_id]
                others = type(suggestion)(tuple(current), suggestion.excluded)
                parts.append(w.section(sh.t("in_take_back"), why, suggestion_panel(sh, others, pick, override)))
        notes = acts.notes(sh.session, self.acting)
        if notes:
            parts.append(w.section(sh.t("in_notes"), w.table(
                [sh.t("in_col_created"), sh.t("in_col_by"), sh.t("in_note_text"), ""],
                [[when(n.at, sh.lang), n.by_name, ft.Text(n.text, width=420),
                  sh.t("in_note_notify") if n.notified else ""] for n in notes])))
        late = acts.late_work(sh.session, self.acting)
        parts.append(w.section(sh.t("in_late_work"), w.table(
            [sh.t("in_col_created"), sh.t("in_col_outlet"), sh.t("in_col_by"), sh.t("in_col_table"),
             sh.t("in_col_change")],
            [[when(x.at, sh.lang), x.outlet_code, x.actor_name, label("table", x.table, sh.lang),
              ft.Text(_change_text(x.op), width=420)] for x in late]) if late else w.muted(sh.t("in_late_none"))))
        history = sh.services.dispatch.history(sh.session, self.acting)
        parts.append(w.section(sh.t("in_dispatches"), w.table(
            [sh.t("in_col_created"), sh.t("in_col_outlet"), sh.t("in_suggested"), sh.t("in_col_reason")],
            [[when(d.at, sh.lang), d.outlet_code, d.suggested_code, d.decline_reason or d.reason or "—"]
             for d in history])))
        return ft.Column(parts, spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)

    def _start_take_back(self) -> None:
        self.taking_back = True
        self.shell.render()

    def _note(self, order: OrderAtHq) -> None:
        sh = self.shell
        text = ft.TextField(label=sh.t("in_note_text"), multiline=True, min_lines=2, autofocus=True)
        notify = ft.Checkbox(label=sh.t("in_note_notify"), value=False)

        def ok():
            try:
                sh.services.order_actions.note(sh.session, order.id, text.value or "", bool(notify.value))
            except ServiceError as exc:  # shown in the dialog, which stays open
                return exc.message(sh.lang)
            sh.toast(sh.t("in_notified" if notify.value else "in_noted"))
            sh.render()
            return None

        sh.page.show_dialog(w.form_dialog(f"{order.number} · {sh.t('in_note')}", [text, notify],
                                          sh.t("confirm"), sh.t("cancel"), ok))

    def _cancel(self, order: QueuedOrder | OrderAtHq) -> None:
        sh = self.shell
        reason = ft.TextField(label=sh.t("in_cancel_reason"), multiline=True, min_lines=2, autofocus=True)

        def ok():
            try:
                sh.services.dispatch.cancel(sh.session, order.id, reason.value or "")
            except ServiceError as exc:  # shown in the dialog, which stays open
                return exc.message(sh.lang)
            sh.toast(sh.t("in_cancelled"))
            sh.render()
            return None

        sh.page.show_dialog(w.form_dialog(f"{order.number} · {sh.t('in_cancel_order')}", [reason],
                                          sh.t("confirm"), sh.t("cancel"), ok))


def _change_text(op: dict) -> str:
    """An op as a person reads it: its fields, key = value."""
    fields = op.get("fields") if isinstance(op.get("fields"), dict) else {}
    return "; ".join(f"{k} = {v}" for k, v in fields.items() if k != "order_id")
