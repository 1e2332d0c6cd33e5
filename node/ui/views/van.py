"""What the technicians carry (node/services/van_stock.py). The clerk's screen: pick a
technician, issue parts to them from the store and take unused ones back (parts typed
ahead by SKU or name), count their bag, and see every technician's bag. The technician's
screen "我的配件 / My parts": what they carry, handing unused parts back, their bag counts."""
import flet as ft

from shared.errors import ServiceError
from shared.formatting import when

from shared.ui import widgets as w


def _int(text: str | None) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return -1  # the service refuses it in words


def _part_picker(sh, label: str, choices) -> ft.Dropdown:
    """A part field that filters as one types a SKU or a name."""
    return ft.Dropdown(label=label, width=360, editable=True, enable_filter=True,
                       options=[ft.DropdownOption(key=c.key, text=c.text) for c in choices])


def _bag_table(sh, bag, empty: str = "bag_empty") -> ft.Control:
    if not bag.lines:
        return w.muted(sh.t(empty))
    return w.table([sh.t("part"), "", sh.t("carried")], [[x.sku, x.name, x.qty] for x in bag.lines], numeric={2})


def _counts(sh, counts) -> ft.Control | None:
    if not counts:
        return None
    return w.section(sh.t("bag_counts"), *[ft.Row([
        ft.Text(when(c.at, sh.lang), width=150),
        ft.Text(sh.t("labelled", k=sh.t("variance"), v=c.variances))], wrap=True) for c in counts])


def _moves(sh, moves) -> ft.Control:
    """A bag's ledger: issued, handed back, used on which order."""
    return w.section(sh.t("ledger"), w.table(
        [sh.t("at"), sh.t("part"), sh.t("qty"), sh.t("kind_col"), sh.t("record")],
        [[when(m.at, sh.lang), f"{m.name}（{m.sku}）", f"{m.qty:+d}", m.kind_label, m.ref_label] for m in moves],
        numeric={2}) if moves else w.muted(sh.t("none")))


def _move_form(sh, title: str, button: str, icon, choices, on_move) -> ft.Control:
    """Part, quantity and the button that moves them (issue or hand back)."""
    part = _part_picker(sh, sh.t("part"), choices)
    qty = ft.TextField(label=sh.t("qty"), value="1", width=100, keyboard_type=ft.KeyboardType.NUMBER)
    return w.section(title, ft.Row([part, qty, ft.FilledButton(
        button, icon=icon, on_click=lambda e: on_move(part.value, _int(qty.value)))], wrap=True))


class VanView:
    """The clerk's and manager's screen."""
    screen = "van"

    def __init__(self, shell):
        self.shell = shell
        self.technician: str | None = None

    def build(self) -> ft.Control:
        sh = self.shell
        van = sh.services.van
        people = sh.services.people.technicians(sh.session)
        pick = ft.Dropdown(label=sh.t("technician"), value=self.technician, width=260, editable=True,
                           enable_filter=True,
                           options=[ft.DropdownOption(key=p.id, text=p.name) for p in people],
                           on_select=lambda e: self._pick(e.control.value))
        parts: list[ft.Control] = [w.title(sh.t("van")), pick]
        if self.technician:
            bag = van.bag(sh.session, self.technician)
            parts.append(_move_form(sh, sh.t("issue_parts"), sh.t("issue"), ft.Icons.OUTBOX,
                                    van.store_choices(sh.session), self._issue))
            parts.append(_move_form(sh, sh.t("take_back"), sh.t("hand_back"), ft.Icons.MOVE_TO_INBOX,
                                    van.bag_choices(sh.session, self.technician), self._take_back))
            parts.append(w.section(f"{bag.technician_name} · {sh.t('carried')}", _bag_table(sh, bag), actions=[
                ft.OutlinedButton(sh.t("count_bag"), icon=ft.Icons.FACT_CHECK,
                                  on_click=lambda e: self._count(bag))]))
            counts = _counts(sh, van.counts(sh.session, self.technician))
            if counts:
                parts.append(counts)
            parts.append(_moves(sh, sh.services.stock.ledger(sh.session, holder=self.technician, limit=30)))
        else:
            parts.append(w.muted(sh.t("pick_technician")))
        bags = van.bags(sh.session)
        parts.append(w.section(sh.t("bags"), w.table(
            [sh.t("technician"), sh.t("carried"), sh.t("pieces")],
            [[b.technician_name, b.summary or "—", b.pieces] for b in bags], numeric={2})))
        return ft.Column(parts, spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _pick(self, technician_id: str | None) -> None:
        self.technician = technician_id or None
        self.shell.render()

    def _issue(self, part_id: str | None, qty: int) -> None:
        sh = self.shell
        ok, _ = sh.run(sh.services.van.issue, sh.session, self.technician or "", {part_id: qty} if part_id else {},
                       done="issued")
        if ok:
            sh.render()

    def _take_back(self, part_id: str | None, qty: int) -> None:
        sh = self.shell
        ok, _ = sh.run(sh.services.van.hand_back, sh.session, self.technician or "",
                       {part_id: qty} if part_id else {}, done="handed_back")
        if ok:
            sh.render()

    def _count(self, bag) -> None:
        """One field per part the bag should hold (its SKU as the label), then record."""
        sh = self.shell
        boxes = [ft.TextField(label=x.sku, hint_text=x.name, width=200, keyboard_type=ft.KeyboardType.NUMBER,
                              data=x.part_id) for x in bag.lines]

        def ok():  # None: recorded (the dialog closes); else the refusal, shown in the dialog
            try:
                sh.services.van.count_bag(sh.session, bag.technician_id, {b.data: _int(b.value) for b in boxes})
            except ServiceError as exc:
                return exc.message(sh.lang)
            sh.toast(sh.t("count_recorded"))
            sh.render()
            return None
        sh.show_form(w.form_dialog(f"{bag.technician_name} · {sh.t('count_bag')}",
                                   boxes or [w.muted(sh.t("bag_empty"))], sh.t("submit"), sh.t("cancel"), ok))


class MyPartsView:
    """The technician's screen: what they carry."""
    screen = "my_parts"

    def __init__(self, shell):
        self.shell = shell

    def build(self) -> ft.Control:
        sh = self.shell
        van = sh.services.van
        bag = van.bag(sh.session)
        parts: list[ft.Control] = [w.title(sh.t("my_parts")),
                                   w.section(sh.t("my_parts"), _bag_table(sh, bag, "you_carry_none"))]
        if bag.lines:
            parts.append(_move_form(sh, sh.t("hand_back"), sh.t("hand_back"), ft.Icons.MOVE_TO_INBOX,
                                    van.bag_choices(sh.session), self._hand_back))
        counts = _counts(sh, van.counts(sh.session))
        if counts:
            parts.append(counts)
        parts.append(_moves(sh, sh.services.stock.ledger(sh.session, holder=sh.session.user_id, limit=30)))
        return ft.Column(parts, spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _hand_back(self, part_id: str | None, qty: int) -> None:
        sh = self.shell
        ok, _ = sh.run(sh.services.van.hand_back, sh.session, None, {part_id: qty} if part_id else {},
                       done="handed_back")
        if ok:
            sh.render()
