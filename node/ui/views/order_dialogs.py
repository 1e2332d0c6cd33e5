"""The order's action buttons: steps without input run at once; the others open a small
form (decline reason, appointment, resolution, part used, technician). Every call goes to
OrderActions / OrderParts / Attachments, which check and refuse in words."""
from datetime import timedelta

import flet as ft

from shared.labels import label
from shared.periods import local_datetime
from sync.hlc import now_ms

from node.services import ServiceError
from node.ui import widgets as w
from node.ui.png import placeholder_png
from node.ui.text import parse_local

ICONS = {"accepted": ft.Icons.CHECK, "declined": ft.Icons.UNDO, "scheduled": ft.Icons.EVENT,
         "en_route": ft.Icons.DIRECTIONS_CAR, "on_site": ft.Icons.PLACE, "waiting_parts": ft.Icons.HOURGLASS_TOP,
         "completed": ft.Icons.TASK_ALT, "assign": ft.Icons.PERSON_ADD, "edit_order": ft.Icons.EDIT}


def _attempt(view, fn, *args, **kwargs) -> str | None:
    """Run a service call from a dialog: None when it worked (the view is rebuilt), else
    the refusal in the session's words."""
    sh = view.shell
    try:
        fn(*args, **kwargs)
    except ServiceError as exc:
        return exc.message(sh.lang)
    sh.toast(sh.t("saved"))
    sh.render()
    return None


def _dialog(view, title: str, fields, on_ok) -> None:
    sh = view.shell
    sh.page.show_dialog(w.form_dialog(title, fields, sh.t("confirm"), sh.t("cancel"), on_ok))


def run(view, act: str) -> None:
    sh, b, s, oid = view.shell, view.shell.services, view.shell.session, view.order_id
    title = f"{view.detail.number} · {label('action', act, sh.lang)}"
    if act in ("accepted", "en_route", "on_site"):
        fn = {"accepted": b.actions.accept, "en_route": b.actions.set_out, "on_site": b.actions.arrive}[act]
        ok, _ = sh.run(fn, s, oid, done="saved")
        if ok:
            sh.render()
    elif act == "declined":
        reason = ft.TextField(label=sh.t("decline_reason"), multiline=True, min_lines=2, autofocus=True)
        _dialog(view, title, [reason], lambda: _attempt(view, b.actions.decline, s, oid, reason.value or ""))
    elif act == "waiting_parts":
        reason = ft.TextField(label=sh.t("reason"), multiline=True, min_lines=2)
        _dialog(view, title, [reason], lambda: _attempt(view, b.actions.wait_for_parts, s, oid, reason.value or ""))
    elif act == "scheduled":
        schedule(view, title)
    elif act == "completed":
        complete(view, title)
    elif act == "assign":
        assign(view, title)
    elif act == "edit_order":
        from node.ui.views.order_forms import edit_details
        edit_details(view, title)


def schedule(view, title: str) -> None:
    sh = view.shell
    current = view.detail.appointment_at
    start = local_datetime(current) if current else local_datetime(now_ms()) + timedelta(days=1)
    date = ft.TextField(label=sh.t("date"), value=start.strftime("%Y-%m-%d"), autofocus=True)
    time_ = ft.TextField(label=sh.t("time"), value=start.strftime("%H:%M") if current else "10:00")

    def ok():
        at = parse_local(date.value or "", time_.value or "")
        if at is None:
            return sh.t("bad_datetime")
        return _attempt(view, sh.services.actions.schedule, sh.session, view.order_id, at)
    _dialog(view, title, [date, time_], ok)


def complete(view, title: str) -> None:
    sh = view.shell
    resolution = ft.TextField(label=sh.t("resolution"), multiline=True, min_lines=2, autofocus=True)
    signed = ft.Checkbox(label=sh.t("attach_signature"), value=True)

    def ok():
        signature = placeholder_png() if signed.value else None
        return _attempt(view, sh.services.actions.complete, sh.session, view.order_id, resolution.value or "",
                        signature=signature, signature_mime="image/png")
    _dialog(view, title, [resolution, signed, w.muted(sh.t("sign_hint"), size=13)], ok)


def assign(view, title: str) -> None:
    sh = view.shell
    people = sh.services.people.technicians(sh.session)
    pick = ft.Dropdown(label=sh.t("assign_to"), value=view.detail.technician_id,
                       options=[ft.DropdownOption(key=p.id, text=p.name) for p in people], width=300)
    _dialog(view, title, [pick],
            lambda: _attempt(view, sh.services.actions.assign, sh.session, view.order_id, pick.value or ""))


def use_part(view) -> None:
    sh, lang = view.shell, view.shell.lang
    stock = [p for p in sh.services.stock.levels(sh.session) if p.on_hand > 0]
    part = ft.Dropdown(label=sh.t("part"), width=400, editable=True, enable_filter=True, options=[
        ft.DropdownOption(key=p.part_id, text=f"{p.name}（{p.sku}）· {sh.t('on_hand_n', n=p.on_hand)}") for p in stock])
    qty = ft.TextField(label=sh.t("qty"), value="1", width=120, keyboard_type=ft.KeyboardType.NUMBER)
    old = ft.TextField(label=sh.t("old_serial"))
    new = ft.TextField(label=sh.t("new_serial"))
    warranty = ft.Checkbox(label=sh.t("in_warranty"), value=view.detail.warranty == "in")

    def ok():
        if not part.value:
            return ServiceError.on_field("required", "part_id").message(lang)
        try:
            n = int((qty.value or "").strip())
        except ValueError:
            n = -1
        return _attempt(view, sh.services.parts.use_part, sh.session, view.order_id, part.value, n,
                        old_serial=old.value, new_serial=new.value, in_warranty=bool(warranty.value))
    _dialog(view, f"{view.detail.number} · {label('action', 'use_part', lang)}", [part, qty, old, new, warranty], ok)


def attach(view, kind: str) -> None:
    """Placeholder capture: attaches a generated PNG (no camera or signature pad yet)."""
    sh = view.shell
    ok, _ = sh.run(sh.services.attachments.attach, sh.session, view.order_id, placeholder_png(), kind,
                   "image/png", done="saved")
    if ok:
        sh.render()
