"""Customers (客户资料): the list searched by name, phone or address and filtered by member
level and group; one customer's record with their groups, member level and the products
they own (model, serial, purchase date — from their orders until HQ edits them); merging
two duplicates after a confirmation that names which one is kept. hub/services/customers.py
checks and refuses; this screen only asks and shows."""
import flet as ft

from shared.intake import MEMBER_LEVELS
from shared.labels import label
from shared.roles import HQ_WORK, HqWork
from shared.ui import widgets as w
from hub.services.customers import PAGE, CustomerRow, OwnedProduct
from hub.ui.views.admin_common import attempt, form, options, pair_row

ANY = "__any__"
NONE = "__none__"


class CustomersView:
    screen = "mds_customers"

    def __init__(self, shell):
        self.shell = shell
        self.query = ""
        self.level = ANY
        self.group = ANY
        self.page = 0
        self.picked: dict[str, CustomerRow] = {}
        self.open: str | None = None  # a customer's id: their record instead of the list

    @property
    def svc(self):
        return self.shell.services.customers

    def build(self) -> ft.Control:
        return self._record() if self.open else self._list()

    def _act(self, fn, *args, **kwargs) -> None:
        """A button's service call outside a dialog: a refusal is shown as a message."""
        message, _ = attempt(self.shell, fn, self.shell.session, *args, **kwargs)
        if message:
            self.shell.toast(message)

    def _go(self, **kw) -> None:
        for k, v in kw.items():
            setattr(self, k, v)
        self.shell.render()

    # ---- the list ----

    def _list(self) -> ft.Control:
        sh = self.shell
        groups = self.svc.groups(sh.session)
        rows, total = self.svc.search(sh.session, self.query, member_level=None if self.level == ANY else self.level,
                                      group_id=None if self.group == ANY else self.group, page=self.page)
        may_merge = sh.session.role in HQ_WORK[HqWork.MASTER_DATA]
        table_rows = []
        for c in rows:
            cells: list = []
            if may_merge:
                on = c.id in self.picked
                cells.append(ft.TextButton(sh.t("mds_picked" if on else "mds_pick"),
                                           icon=ft.Icons.CHECK_BOX if on else ft.Icons.CHECK_BOX_OUTLINE_BLANK,
                                           on_click=lambda e, c=c, on=on: self._tick(c, not on)))
            cells += [c.name, c.phone, c.city, c.address[:28], label("member_level", c.member_level, sh.lang), c.orders,
                      ft.TextButton(sh.t("mds_open"), on_click=lambda e, c=c: self._go(open=c.id))]
            table_rows.append(cells)
        heads = ([sh.t("mds_pick")] if may_merge else []) + [sh.t(k) for k in (
            "mds_col_name", "mds_col_phone", "mds_col_city", "mds_col_address", "mds_member_level", "mds_col_orders",
            "mds_open")]
        query = ft.TextField(label=sh.t("mds_cust_query"), value=self.query, width=240, prefix_icon=ft.Icons.SEARCH,
                             on_submit=lambda e: self._go(query=e.control.value or "", page=0))
        levels = [(v, label("member_level", v, sh.lang)) for v in MEMBER_LEVELS]
        level = ft.Dropdown(label=sh.t("mds_member_level"), value=self.level, width=170,
                            options=options([(ANY, sh.t("mds_any_level"))] + levels),
                            on_select=lambda e: self._go(level=e.control.value, page=0))
        group = ft.Dropdown(label=sh.t("mds_group"), value=self.group, width=170,
                            options=options([(ANY, sh.t("mds_any_group"))] + [(g.id, g.name) for g in groups]),
                            on_select=lambda e: self._go(group=e.control.value, page=0))
        tools: list[ft.Control] = [ft.OutlinedButton(sh.t("mds_group_new"), icon=ft.Icons.GROUP_ADD,
                                                     on_click=lambda e: self.new_group())]
        if may_merge:
            tools.append(ft.FilledButton(sh.t("mds_merge"), icon=ft.Icons.MERGE, disabled=len(self.picked) != 2,
                                         on_click=lambda e: self.merge()))
            tools.append(w.muted(sh.t("mds_merge_hint")))
        return ft.Column([
            ft.Row([w.title(sh.t("mds_customers")), query, level, group], spacing=16, wrap=True),
            ft.Row(tools, spacing=12, wrap=True),
            ft.Row([w.muted(sh.t("mds_n_customers", n=f"{total:,}")),
                    w.pager(sh.t, self.page * PAGE, PAGE, total, lambda off: self._go(page=off // PAGE))]),
            w.table(heads, table_rows, numeric={len(heads) - 2})], spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _tick(self, c: CustomerRow, on: bool) -> None:
        if on:
            self.picked[c.id] = c
        else:
            self.picked.pop(c.id, None)
        self.shell.render()

    def merge(self) -> None:
        """Two ticked: which one is kept, then the service merges the other into it."""
        sh = self.shell
        a, b = list(self.picked.values())[:2]
        keep = ft.RadioGroup(value=a.id, content=ft.Column([
            ft.Radio(value=c.id, label=f"{c.name}  {c.phone}  {c.address[:24]}（{c.orders}）") for c in (a, b)]))

        def ok():
            kept = keep.value or a.id
            dup = b.id if kept == a.id else a.id
            message, _ = attempt(sh, self.svc.merge, sh.session, kept, dup, done="mds_merged")
            if message is None:
                self.picked.clear()
                self._go(open=kept)
            return message
        form(sh, sh.t("mds_merge"), [ft.Text(sh.t("mds_merge_keep")), keep], ok, sh.t("mds_merge_do"), width=560)

    def new_group(self) -> None:
        sh = self.shell
        name = ft.TextField(label=sh.t("mds_group_name"))
        note = ft.TextField(label=sh.t("mds_note"))
        form(sh, sh.t("mds_group_new"), [name, note],
             lambda: attempt(sh, self.svc.save_group, sh.session, name=name.value or "", note=note.value or "")[0],
             sh.t("adm_save"))

    # ---- one customer ----

    def _record(self) -> ft.Control:
        sh = self.shell
        rec = self.svc.record(sh.session, self.open)
        c = rec.customer
        mine = {g.id for g in rec.groups}
        boxes = [ft.Checkbox(label=g.name, value=g.id in mine, data=g.id) for g in self.svc.groups(sh.session)]
        levels = [(v, label("member_level", v, sh.lang)) for v in MEMBER_LEVELS]
        level = ft.Dropdown(label=sh.t("mds_member_level"), value=c.member_level or NONE, width=200,
                            options=options([(NONE, sh.t("mds_none"))] + levels))
        products = [[p.model_code, p.model_name, p.serial_no, p.purchase_date, p.order_number,
                     ft.TextButton(sh.t("adm_edit"), icon=ft.Icons.EDIT, on_click=lambda e, p=p: self.product(p))]
                    for p in rec.products]
        merged = [w.muted(f"{m.name}  {m.phone}  {m.address}") for m in rec.merged]
        return ft.Column([
            ft.Row([ft.TextButton(sh.t("mds_back"), icon=ft.Icons.ARROW_BACK, on_click=lambda e: self._go(open=None)),
                    w.title(c.name)], spacing=16),
            w.section(sh.t("mds_customers"),
                      w.kv(sh.t("mds_col_phone"), c.phone), w.kv(sh.t("mds_col_city"), c.city),
                      w.kv(sh.t("mds_col_address"), c.address), w.kv(sh.t("mds_col_orders"), c.orders),
                      ft.Row([level, ft.OutlinedButton(sh.t("mds_level_save"), on_click=lambda e: self._act(
                          self.svc.save, c.id,
                          member_level="" if level.value == NONE else level.value))], spacing=12)),
            w.section(sh.t("mds_groups"), ft.Row(boxes, wrap=True) if boxes else w.muted(sh.t("mds_none")),
                      actions=[ft.OutlinedButton(sh.t("mds_groups_save"), on_click=lambda e: self._act(
                          self.svc.set_groups, c.id, [b.data for b in boxes if b.value]))]),
            w.section(sh.t("mds_products"),
                      w.table([sh.t(k) for k in ("mds_model_code", "mds_name", "mds_serial", "mds_purchase_date",
                                                 "mds_from_order", "adm_edit")], products),
                      actions=[ft.FilledButton(sh.t("mds_product_add"), icon=ft.Icons.ADD,
                                               on_click=lambda e: self.product(None))]),
            *([w.section(sh.t("mds_merged_in"), *merged)] if merged else []),
        ], spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def product(self, p: OwnedProduct | None) -> None:
        sh = self.shell
        models = sh.services.master_data.models(sh.session)
        model = ft.Dropdown(label=sh.t("mds_model_code"), value=p.product_model_id if p else None,
                            options=options((m.id, f"{m.code} {m.name}") for m in models if m.active),
                            enable_filter=True, editable=True)
        serial = ft.TextField(label=sh.t("mds_serial"), value=p.serial_no if p else "")
        date = ft.TextField(label=sh.t("mds_purchase_date"), value=p.purchase_date if p else "")
        form(sh, sh.t("mds_product_add") if p is None else sh.t("mds_edit_title", what=sh.t("mds_products")),
             [model, pair_row(serial, date)],
             lambda: attempt(sh, self.svc.save_product, sh.session, self.open, p and p.id,
                             product_model_id=model.value or "", serial_no=serial.value or "",
                             purchase_date=date.value or "", order_id=p and p.order_id)[0],
             sh.t("adm_save"), width=600)
