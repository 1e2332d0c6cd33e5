"""An order's full record (工单档案) as a dialog: the ticket query's rows and intake's
service history open it (`open_record`). Sections one under another, each a small table or
label/value lines, so the whole story reads top to bottom; an attachment opens in a dialog
of its own. Only reads: hub/services/order_file.py."""
import flet as ft

from hub.services.order_file import OrderFile
from shared.formatting import when, yuan
from shared.labels import label
from shared.ui import widgets as w

WIDTH = 1000


def open_record(shell, order_id: str) -> None:
    sh = shell
    ok, rec = sh.run(sh.services.order_files.record, sh.session, order_id)
    if not ok:
        return
    dlg = ft.AlertDialog(
        title=ft.Text(sh.t("of_title", number=rec.number)),
        content=ft.Column(_sections(sh, rec), tight=True, spacing=10, scroll=ft.ScrollMode.AUTO,
                          width=sh.dialog_width(WIDTH)),
        actions=[ft.TextButton(sh.t("of_close"), on_click=lambda e: sh.page.pop_dialog())])
    sh.page.show_dialog(dlg)


def _sections(sh, rec: OrderFile) -> list[ft.Control]:
    lang = sh.lang
    none = w.muted(sh.t("of_none"))

    def head(key: str) -> ft.Control:
        return ft.Text(sh.t(key), size=16, weight=ft.FontWeight.W_600)

    def kvs(pairs) -> ft.Control:
        return ft.ResponsiveRow([ft.Container(w.kv(sh.t(k), v), col={"xs": 12, "md": 6}) for k, v in pairs],
                                run_spacing=2)

    dues = " · ".join(f"{label('milestone', m, lang)} {when(at, lang)}" for m, at in rec.sla_dues.items() if at)
    out = [ft.Row([w.status_chip(rec.status, rec.status_label), w.chip(rec.type_label, ft.Colors.INDIGO_400)]),
           kvs([("of_created", when(rec.created_at, lang)), ("of_priority", rec.priority_label),
                ("of_outlet", " · ".join(filter(None, (rec.region, rec.outlet_name)))),
                ("of_technician", rec.technician), ("of_appointment", when(rec.appointment_at, lang)
                                                    if rec.appointment_at else ""),
                ("of_closed", " ".join(filter(None, (when(rec.closed_at, lang) if rec.closed_at else "",
                                                     rec.closed_reason)))),
                ("of_fault", " ".join(filter(None, (rec.fault_code, rec.fault_description)))),
                ("of_resolution", rec.resolution), ("of_sla_due", dues), ("of_notes", rec.notes)])]
    c = rec.customer
    out += [head("of_customer"), kvs([("of_name", c.name if c else ""), ("of_phone", c.phone if c else ""),
                                      ("of_city", c.city if c else ""),
                                      ("of_member", label("member_level", c.member_level, lang) if c else ""),
                                      ("of_contact", " ".join(filter(None, (rec.contact_name, rec.contact_phone)))),
                                      ("of_address", rec.address or (c.address if c else ""))])]
    p = rec.product
    until = sh.t("of_until", date=p.warranty_until.isoformat()) if p.warranty_until else ""
    out += [head("of_product"), kvs([("of_model", " ".join(filter(None, (p.model_code, p.model_name)))),
                                     ("of_category", p.category), ("of_serial", p.serial_no),
                                     ("of_purchase", p.purchase_date),
                                     ("of_warranty", " ".join(filter(None, (p.warranty_label, until))))])]
    out += [head("of_events"), w.table(
        [sh.t(k) for k in ("of_ev_device", "of_ev_hq", "of_ev_status", "of_ev_who", "of_ev_where", "of_ev_reason")],
        [[when(e.device_at, lang), when(e.hq_at, lang) if e.hq_at else "—", w.status_chip(e.status, e.status_label),
          " · ".join(filter(None, (e.who, e.role_label))) or "—", e.where or "—", e.reason or ""]
         for e in rec.events]) if rec.events else none]
    kinds = {"dispatch": "of_dispatch", "redispatch": "of_redispatch", "take_back": "of_take_back"}
    out += [head("of_dispatches"), w.table(
        [sh.t(k) for k in ("of_d_at", "of_d_kind", "of_d_outlet", "of_d_from", "of_d_suggested", "of_d_reason",
                           "of_d_by")],
        [[when(d.at, lang), sh.t(kinds.get(d.kind, d.kind)) + (sh.t("of_override") if d.override else ""),
          d.outlet, d.from_outlet or "—", d.suggested or "—",
          "；".join(filter(None, (d.reason, sh.t("of_declined", reason=d.decline_reason) if d.decline_reason
                                  else ""))) or "—", d.by or "—"]
         for d in rec.dispatches]) if rec.dispatches else none]
    yes_no = {True: sh.t("of_yes"), False: sh.t("of_no"), None: "—"}
    out += [head("of_parts"), w.table(
        [sh.t(k) for k in ("of_p_sku", "of_p_name", "of_p_qty", "of_p_price", "of_p_warranty", "of_p_serials")],
        [[x.sku, x.name, x.qty, yuan(x.unit_price) if x.unit_price is not None else "—", yes_no[x.in_warranty],
          f"{x.old_serial or '—'} / {x.new_serial or '—'}"] for x in rec.parts], numeric={2, 3})
        if rec.parts else none]
    out += [head("of_attachments"), ft.Row([_attachment(sh, rec.id, a) for a in rec.attachments], wrap=True)
            if rec.attachments else none]
    cb = rec.callback
    if cb is None:
        callback = none
    elif not cb.result:
        callback = w.muted(f"{sh.t('of_cb_open')} · {sh.t('of_cb_due')} {when(cb.due_at, lang)}")
    else:
        callback = kvs([("of_cb_result", cb.result_label), ("of_cb_score", "" if cb.score is None else cb.score),
                        ("of_cb_agent", " · ".join(filter(None, (cb.agent, when(cb.finished_at, lang)
                                                                 if cb.finished_at else "")))),
                        ("of_cb_note", cb.note)])
    out += [head("of_callback"), callback]
    out += [head("of_complaints"), ft.Column([w.kv(
        when(x.created_at, lang), f"{x.summary}",
        w.chip(sh.t("of_c_resolved" if x.status == "resolved" else "of_c_open"),
               ft.Colors.GREEN_700 if x.status == "resolved" else ft.Colors.RED_700),
        w.muted(" · ".join(filter(None, (x.department, sh.t("of_c_serious" if x.severity == "serious"
                                                                 else "of_c_normal"),
                                         sh.t("of_c_deadline", at=when(x.deadline_at, lang)), x.resolution)))))
        for x in rec.complaints], spacing=4) if rec.complaints else none]
    s = rec.settlement
    out += [head("of_settlement"), ft.Column([
        w.kv(sh.t("of_s_period"), f"{s.period} · {s.status_label}"),
        w.muted(" · ".join(filter(None, (
            sh.t("of_s_fees", parts=yuan(s.parts_fee), visit=yuan(s.visit_fee), labour=yuan(s.labour_fee)),
            sh.t("of_s_deduction", amount=yuan(s.deduction), reason=label("deduction_reason", s.reason, lang))
            if s.deduction else "",
            sh.t("of_s_adjustment", amount=yuan(s.adjustment), reason=s.adjustment_reason) if s.adjustment else "",
            sh.t("of_s_total", amount=yuan(s.total))))))], spacing=2) if s else none]
    lines = sorted([(x, "of_call") for x in rec.calls] + [(x, "of_note") for x in rec.notes_hq]
                   + [(x, "of_escalation") for x in rec.escalations] + [(x, "of_audit") for x in rec.audit],
                   key=lambda p: p[0].at or 0)
    out += [head("of_hq"), ft.Column([w.muted(
        "  ".join(filter(None, (when(x.at, lang), sh.t(kind), x.who, x.what if kind != "of_note" else "",
                                x.detail)))) for x, kind in lines], spacing=2) if lines else none]
    return out


def _attachment(sh, order_id: str, a) -> ft.Control:
    text = f"{a.kind_label} · {when(a.at, sh.lang)}"
    if not a.held:
        return ft.OutlinedButton(f"{text} · {sh.t('of_not_held')}", icon=ft.Icons.CLOUD_OFF, disabled=True)
    return ft.OutlinedButton(f"{sh.t('of_view')} {text}", icon=ft.Icons.IMAGE,
                             on_click=lambda e: _show(sh, order_id, a, text))


def _show(sh, order_id: str, a, text: str) -> None:
    ok, got = sh.run(sh.services.order_files.attachment, sh.session, order_id, a.id)
    if not ok:
        return
    mime, data = got
    body = ft.Image(src=data, fit=ft.BoxFit.CONTAIN, width=sh.dialog_width(720), height=480) \
        if mime.startswith("image/") else w.muted(mime)
    dlg = ft.AlertDialog(title=ft.Text(text), content=body,
                         actions=[ft.TextButton(sh.t("of_close"), on_click=lambda e: sh.page.pop_dialog())])
    sh.page.show_dialog(dlg)
