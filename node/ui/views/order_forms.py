"""The two order forms: a phoned-in order the office creates at the outlet, and the
details a technician corrects on site (model, serial, purchase date, fault, notes — the
fields shared/roles.py lets a technician write; OrderActions checks them again).

A phoned-in order names an existing customer of the outlet when the caller is one: the
clerk types the number the caller gives and picks them (node/services/customers.py), and
the name, phone and address need not be typed again. Otherwise it names no customer
record: outlets cannot create customers (they are HQ's, and the hub refuses an order
carrying a customer its outlet does not serve), so the caller's name, phone and address
are recorded on the order itself (`contact_*`, `address`), which the detail and the lists
show like a customer's."""
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
    known = _KnownCustomer(sh, name, phone, address)

    def ok():
        try:
            created = sh.services.actions.create(
                sh.session, contact_name=name.value or "", contact_phone=phone.value or "",
                address=address.value or "", fault_description=fault.value or "", type=kind.value,
                priority=priority.value, product_model_id=model.value or None, serial_no=serial.value,
                purchase_date=bought.value, fault_code=code.value, technician_id=tech.value or None,
                notes=notes.value, customer_id=known.customer_id)
        except ServiceError as exc:
            return exc.message(lang)
        from node.ui.views.order import OrderView
        sh.toast(sh.t("created_order", number=created.number))
        sh.show(OrderView(sh, created.id, back=view))
        return None

    _show(sh, sh.t("new_order"), [
        w.muted(sh.t("phoned_in_hint"), size=13), known.control,
        _pair(name, phone), address, _pair(kind, priority), _pair(model, serial), _pair(bought, code),
        fault, _pair(tech, notes)], ok, scroll=True)


class _KnownCustomer:
    """The new-order form's "老客户" line: a number typed, the outlet's customers with it
    offered; picking one hides the caller's name and phone (the customer's are used) and
    leaves the address to type only when the visit is elsewhere."""

    def __init__(self, sh, name: ft.TextField, phone: ft.TextField, address: ft.TextField):
        self.sh, self.name, self.phone, self.address = sh, name, phone, address
        self.customer_id: str | None = None
        self.address_label = address.label
        self.query = ft.TextField(label=sh.t("known_customer_phone"), keyboard_type=ft.KeyboardType.PHONE,
                                  expand=True, on_submit=lambda e: self._find())
        self.found = ft.Column([], spacing=4, tight=True)
        self.control = ft.Column([
            ft.Row([self.query, ft.OutlinedButton(sh.t("find_customer"), icon=ft.Icons.PERSON_SEARCH,
                                                  on_click=lambda e: self._find())], spacing=8),
            self.found], spacing=6, tight=True)

    def _find(self) -> None:
        sh = self.sh
        try:
            people = sh.services.customers.by_phone(sh.session, self.query.value or "")
        except ServiceError as exc:
            self._show([ft.Text(exc.message(sh.lang), color=ft.Colors.RED_800)])
            return
        if not people:
            self._show([w.muted(sh.t("no_customer_found"))])
            return
        self._show([ft.OutlinedButton(sh.t("pick_customer", name=c.name, phone=c.phone_masked, address=c.address),
                                      on_click=lambda e, c=c: self._pick(c)) for c in people])

    def _pick(self, c) -> None:
        sh = self.sh
        self.customer_id = c.id
        self.name.visible = self.phone.visible = False
        self.name.value = self.phone.value = ""
        self.address.label = sh.t("address_if_elsewhere")
        self._show([ft.Row([ft.Icon(ft.Icons.PERSON, color=ft.Colors.GREEN_800),
                            ft.Text(sh.t("customer_chosen", name=c.name, phone=c.phone_masked, address=c.address),
                                    weight=ft.FontWeight.W_600, expand=True),
                            ft.TextButton(sh.t("not_this_customer"), on_click=lambda e: self._drop())])])

    def _drop(self) -> None:
        self.customer_id = None
        self.name.visible = self.phone.visible = True
        self.address.label = self.address_label
        self._show([])

    def _show(self, controls: list) -> None:
        self.found.controls = controls
        self.sh.page.update()


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
