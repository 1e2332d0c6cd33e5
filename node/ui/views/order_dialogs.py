"""The order's action buttons: steps without input run at once; the others open a small
form (decline reason, appointment, completion with photos and the customer's signature,
part used, technician). Every call goes to OrderActions / OrderParts / Attachments, which
check and refuse in words."""
from datetime import datetime, timedelta
from datetime import time as dt_time

import flet as ft

from shared.attachments import sniff_mime
from shared.formatting import parse_local, when
from shared.periods import local_datetime
from sync.hlc import now_ms

from node.services import ServiceError
from shared.ui import widgets as w
from node.ui.signature import SignaturePad

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
    sh.show_form(w.form_dialog(title, fields, sh.t("confirm"), sh.t("cancel"), on_ok, width=sh.dialog_width(440),
                               scroll=True))


def run(view, action) -> None:
    """`action`: one of the detail's OrderActions."""
    sh, b, s, oid = view.shell, view.shell.services, view.shell.session, view.order_id
    act, title = action.key, f"{view.detail.number} · {action.label}"
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
    """The appointment from a date picker and a time picker (nothing typed): the date from
    today on, a time on a clock face; the chosen values show on the two buttons."""
    sh = view.shell
    current = view.detail.appointment_at
    start = local_datetime(current) if current else local_datetime(now_ms()) + timedelta(days=1)
    chosen = {"date": start.date(), "time": start.time().replace(second=0, microsecond=0) if current
              else dt_time(10, 0)}
    today = local_datetime(now_ms()).date()
    locale = ft.Locale("zh", "CN") if sh.lang == "zh" else ft.Locale("en", "US")

    def show_date() -> str:
        return chosen["date"].isoformat()

    def show_time() -> str:
        return chosen["time"].strftime("%H:%M")

    date_button = ft.OutlinedButton(show_date(), icon=ft.Icons.CALENDAR_MONTH, tooltip=sh.t("pick_date"))
    time_button = ft.OutlinedButton(show_time(), icon=ft.Icons.SCHEDULE, tooltip=sh.t("pick_time"))

    def date_picked(e) -> None:
        value = e.control.value
        if value is not None:
            chosen["date"] = value.date() if isinstance(value, datetime) else value
        closed(e)

    def time_picked(e) -> None:
        if e.control.value is not None:
            chosen["time"] = e.control.value
        closed(e)

    def closed(e) -> None:
        date_button.content, time_button.content = show_date(), show_time()
        date_button.update()
        time_button.update()

    shown: list = []  # the picker open now: a tap delivered twice must not open a second one

    def show_picker(picker) -> None:
        if shown and shown[-1].open:
            return
        shown[:] = [picker]
        sh.page.show_dialog(picker)

    def midnight(day) -> datetime:
        return datetime.combine(day, dt_time())

    def open_date(e) -> None:
        show_picker(ft.DatePicker(
            value=midnight(max(chosen["date"], today)), first_date=midnight(today),
            last_date=midnight(today + timedelta(days=365)), current_date=midnight(today),
            locale=locale, help_text=sh.t("pick_date"), confirm_text=sh.t("confirm"), cancel_text=sh.t("cancel"),
            on_change=date_picked, on_dismiss=closed))

    def open_time(e) -> None:
        show_picker(ft.TimePicker(
            value=chosen["time"], locale=locale, help_text=sh.t("pick_time"), confirm_text=sh.t("confirm"),
            cancel_text=sh.t("cancel"), on_change=time_picked, on_dismiss=closed))

    date_button.on_click = open_date
    time_button.on_click = open_time

    def ok():
        at = parse_local(show_date(), show_time())
        if at is None:
            return sh.t("bad_datetime")
        return _attempt(view, sh.services.actions.schedule, sh.session, view.order_id, at)
    sh.show_form(w.form_dialog(title, [
        ft.Row([ft.Text(sh.t("appointment"), color=ft.Colors.GREY_700), date_button, time_button],
               wrap=True, spacing=12, run_spacing=8)],
        sh.t("confirm"), sh.t("cancel"), ok, width=sh.dialog_width(440)))


def view_attachment(view, attachment_id: str) -> None:
    """An attached photo or signature opened again, from this device's copy of its bytes."""
    sh = view.shell
    ok, f = sh.run(sh.services.attachments.open, sh.session, attachment_id)
    if not ok:
        return
    width = sh.dialog_width(720)
    dlg = ft.AlertDialog(
        title=ft.Text(f"{f.kind_label} · {when(f.at, sh.lang)}"),
        content=ft.Container(ft.Image(src=f.data, fit=ft.BoxFit.CONTAIN, width=width,
                                      semantics_label=f.kind_label),
                             bgcolor=ft.Colors.WHITE, width=width, padding=4,
                             border=ft.Border.all(1, ft.Colors.BLUE_GREY_100)))

    def close(e=None):
        dlg.open = False
        dlg.update()
    dlg.actions = [ft.TextButton(sh.t("close"), on_click=close)]
    sh.page.show_dialog(dlg)


def photo_button(sh, picker: ft.FilePicker, text: str) -> ft.Control:
    """Opens the device's picker for one or more images: in a phone's or tablet's browser
    the system sheet offers the camera beside the gallery (an image file input); in an
    Android app, Flet's FilePicker opens the system's image picker (see README, "Photos")."""
    return ft.OutlinedButton(text, icon=ft.Icons.PHOTO_CAMERA, action=ft.PickFiles(
        picker, file_type=ft.FilePickerFileType.IMAGE, allow_multiple=True, with_data=True))


def signature_block(sh, pad: SignaturePad) -> ft.Control:
    return ft.Column([ft.Row([ft.Text(sh.t("sign_here"), weight=ft.FontWeight.W_500),
                              ft.TextButton(sh.t("clear"), icon=ft.Icons.CLEAR, on_click=lambda e: pad.clear())],
                             alignment=ft.MainAxisAlignment.SPACE_BETWEEN, width=pad.width),
                      pad.control], spacing=4, tight=True)


def complete(view, title: str) -> None:
    """Resolution, photos from the device and the customer's signature, completed in one
    change (OrderActions.complete queues the images as attachments)."""
    sh = view.shell
    resolution = ft.TextField(label=sh.t("resolution"), multiline=True, min_lines=2, autofocus=True)
    photos: list[tuple[bytes, str | None]] = []
    chosen = w.muted(sh.t("photos_n", n=0), size=13)

    def got(files):
        photos.extend((data, sniff_mime(data)) for _, data in files)
        chosen.value = sh.t("photos_n", n=len(photos))
        chosen.update()

    picker = sh.picker("complete", got)
    pad = SignaturePad(sh.t("signature_pad"), width=sh.dialog_width(560))

    def ok():
        if pad.empty:
            return sh.t("signature_empty")
        return _attempt(view, sh.services.actions.complete, sh.session, view.order_id, resolution.value or "",
                        signature=pad.png(), signature_mime="image/png", photos=list(photos))
    sh.show_form(w.form_dialog(title, [
        resolution, ft.Row([photo_button(sh, picker, sh.t("pick_photos")), chosen], spacing=12, wrap=True),
        signature_block(sh, pad)], sh.t("confirm"), sh.t("cancel"), ok, width=pad.width, scroll=True))


def assign(view, title: str) -> None:
    sh = view.shell
    people = sh.services.people.technicians(sh.session)
    pick = ft.Dropdown(label=sh.t("assign_to"), value=view.detail.technician_id,
                       options=[ft.DropdownOption(key=p.id, text=p.name) for p in people], width=sh.dialog_width(300))
    _dialog(view, title, [pick],
            lambda: _attempt(view, sh.services.actions.assign, sh.session, view.order_id, pick.value or ""))


def use_part(view, action) -> None:
    sh, lang = view.shell, view.shell.lang
    choices = sh.services.parts.choices(sh.session, view.order_id)
    part = ft.Dropdown(label=sh.t("part"), width=sh.dialog_width(400), editable=True, enable_filter=True,
                       options=[ft.DropdownOption(key=c.key, text=c.text) for c in choices])
    qty = ft.TextField(label=sh.t("qty"), value="1", width=120, keyboard_type=ft.KeyboardType.NUMBER)
    old = ft.TextField(label=sh.t("old_serial"))
    new = ft.TextField(label=sh.t("new_serial"))
    warranty = ft.Checkbox(label=sh.t("in_warranty"), value=view.detail.in_warranty)

    def ok():
        if not part.value:
            return ServiceError.on_field("required", "part_id").message(lang)
        try:
            n = int((qty.value or "").strip())
        except ValueError:
            n = -1
        return _attempt(view, sh.services.parts.use_part, sh.session, view.order_id, part.value, n,
                        old_serial=old.value, new_serial=new.value, in_warranty=bool(warranty.value))
    empty = [w.muted(sh.t("you_carry_none"))] if sh.services.parts.carries_nothing(sh.session) else []
    _dialog(view, f"{view.detail.number} · {action.label}", [*empty, part, qty, old, new, warranty], ok)


def attach_photos(view, files) -> None:
    """Photos chosen from the order's attachments section, attached one by one."""
    sh = view.shell
    for _, data in files:
        ok, _ = sh.run(sh.services.attachments.attach, sh.session, view.order_id, data, "photo",
                       sniff_mime(data) or "")
        if not ok:  # the refusal is on screen; the photos before it are attached
            break
    else:
        sh.toast(sh.t("saved"))
    sh.render()


def signature(view) -> None:
    """The customer signs on the pad; saved as a PNG attachment."""
    sh = view.shell
    pad = SignaturePad(sh.t("signature_pad"), width=sh.dialog_width(560))

    def ok():
        if pad.empty:
            return sh.t("signature_empty")
        return _attempt(view, sh.services.attachments.attach, sh.session, view.order_id, pad.png(), "signature",
                        "image/png")
    sh.show_form(w.form_dialog(f"{view.detail.number} · {sh.t('attach_signature')}", [signature_block(sh, pad)],
                               sh.t("save_signature"), sh.t("cancel"), ok, width=pad.width))
