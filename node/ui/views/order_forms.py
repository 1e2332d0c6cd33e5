"""The two order forms: a phoned-in order the office creates at the outlet, and the
details a technician corrects on site (model, serial, purchase date, fault, notes — the
fields shared/roles.py lets a technician write; OrderActions checks them again).

A phoned-in order names no customer record: outlets cannot create customers (they are
HQ's, and the hub refuses an order carrying a customer its outlet does not serve), so the
caller's name, phone and address are recorded on the order itself (`contact_*`,
`address`), which the detail and the lists show like a customer's."""
import flet as ft

from shared.labels import heading
from shared.orders import OrderType, Priority

from node.services import ServiceError
from shared.ui import widgets as w


def _field_label(key: str, lang: str) -> str:
    return heading("field", key, lang)


def _model_picker(sh, value: str | None) -> ft.Dropdown:
    models = sh.services.catalog.models(sh.session)
    return ft.Dropdown(label=_field_label("product_model_id", sh.lang), value=value, editable=True,
                       enable_filter=True, expand=True,
                       options=[ft.DropdownOption(key=m.id, text=m.text) for m in models])


def _text(key_label: str, value: str = "", **kw) -> ft.TextField:
    return ft.TextField(label=key_label, value=value or "", expand=True, **kw)


def _pair(*controls: ft.Control) -> ft.ResponsiveRow:
    """Two fields side by side, or one under the other on a phone."""
    for c in controls:
        c.col = {"xs": 12, "sm": 6}
    return ft.ResponsiveRow(list(controls), spacing=12, run_spacing=12,
                            vertical_alignment=ft.CrossAxisAlignment.START)


def _show(sh, title: str, fields, on_ok, scroll: bool = True) -> None:
    sh.show_form(w.form_dialog(title, fields, sh.t("confirm"), sh.t("cancel"), on_ok, width=sh.dialog_width(620),
                               scroll=scroll))


def new_order(view) -> None:
    """From the orders screen (office): the order opens once created."""
    sh, lang = view.shell, view.shell.lang
    name = _text(_field_label("contact_name", lang), autofocus=True)
    phone = _text(_field_label("contact_phone", lang), keyboard_type=ft.KeyboardType.PHONE)
    address = _text(_field_label("address", lang))
    choices = sh.services.orders.choices(sh.session)
    kind = ft.Dropdown(label=sh.t("order_type"), value=str(OrderType.REPAIR), expand=True,
                       options=[ft.DropdownOption(key=o.key, text=o.text) for o in choices.types])
    priority = ft.Dropdown(label=sh.t("priority_label"), value=str(Priority.NORMAL), expand=True,
                           options=[ft.DropdownOption(key=o.key, text=o.text) for o in choices.priorities])
    model = _model_picker(sh, None)
    serial = _text(sh.t("serial"))
    bought = _text(sh.t("purchase_date"), hint_text="2025-06-01")
    fault = _text(_field_label("fault_description", lang), multiline=True, min_lines=2)
    code = _text(sh.t("fault_code"))
    tech = ft.Dropdown(label=sh.t("technician"), expand=True,
                       options=[ft.DropdownOption(key=o.key, text=o.text) for o in choices.technicians])
    notes = _text(_field_label("notes", lang))

    def ok():
        try:
            created = sh.services.actions.create(
                sh.session, contact_name=name.value or "", contact_phone=phone.value or "",
                address=address.value or "", fault_description=fault.value or "", type=kind.value,
                priority=priority.value, product_model_id=model.value or None, serial_no=serial.value,
                purchase_date=bought.value, fault_code=code.value, technician_id=tech.value or None,
                notes=notes.value)
        except ServiceError as exc:
            return exc.message(lang)
        from node.ui.views.order import OrderView
        sh.toast(sh.t("created_order", number=created.number))
        sh.show(OrderView(sh, created.id, back=view))
        return None

    _show(sh, sh.t("new_order"), [
        w.muted(sh.t("phoned_in_hint"), size=13),
        _pair(name, phone), address, _pair(kind, priority), _pair(model, serial), _pair(bought, code),
        fault, _pair(tech, notes)], ok, scroll=True)


def edit_details(view, title: str) -> None:
    """From an order: only the fields that changed are written (an emptied one is cleared)."""
    sh, d, lang = view.shell, view.detail, view.shell.lang
    model = _model_picker(sh, d.model_id)
    serial = _text(sh.t("serial"), d.serial_no, autofocus=True)
    bought = _text(sh.t("purchase_date"), d.purchase_date, hint_text="2025-06-01")
    fault = _text(_field_label("fault_description", lang), d.fault_description, multiline=True, min_lines=2)
    code = _text(sh.t("fault_code"), d.fault_code)
    notes = _text(_field_label("notes", lang), d.notes, multiline=True)
    before = {"product_model_id": d.model_id or "", "serial_no": d.serial_no, "purchase_date": d.purchase_date,
              "fault_description": d.fault_description, "fault_code": d.fault_code, "notes": d.notes}

    def ok():
        now = {"product_model_id": model.value or "", "serial_no": serial.value, "purchase_date": bought.value,
               "fault_description": fault.value, "fault_code": code.value, "notes": notes.value}
        changed = {k: (v or "").strip() for k, v in now.items() if (v or "").strip() != (before[k] or "")}
        if not changed:
            return None
        try:
            sh.services.actions.update_details(sh.session, view.order_id, **changed)
        except ServiceError as exc:
            return exc.message(lang)
        sh.toast(sh.t("saved"))
        sh.render()
        return None

    _show(sh, title, [_pair(model, serial), _pair(bought, code), fault, notes], ok)
