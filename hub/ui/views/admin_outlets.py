"""Outlets: the list (code, place, coverage, qualifications, capacity, people, devices,
active) and one form to add or edit an outlet."""
import flet as ft

from shared.ui import widgets as w
from hub.services.admin_network import OutletRow
from hub.ui.views.admin_common import active_chip, attempt, form, options, pair_row


class OutletsView:
    screen = "adm_outlets"

    def __init__(self, shell):
        self.shell = shell

    def build(self) -> ft.Control:
        sh = self.shell
        net = sh.services.admin.network
        rows = []
        for o in net.outlets(sh.session):
            rows.append([o.code, o.name, o.region, o.city, "、".join(o.coverage), "、".join(o.qualification_names),
                         o.capacity if o.capacity is not None else "—", o.users, o.nodes,
                         active_chip(sh, o.active),
                         ft.TextButton(sh.t("adm_edit"), icon=ft.Icons.EDIT, on_click=lambda e, o=o: self.edit(o))])
        table = w.table([sh.t(k) for k in ("adm_code", "adm_name", "adm_region", "adm_city", "adm_coverage_col",
                                           "adm_qualifications", "adm_capacity", "adm_users_n", "adm_nodes_n",
                                           "adm_status", "adm_edit")], rows, numeric={6, 7, 8})
        return ft.Column([
            ft.Row([w.title(sh.t("adm_outlets")),
                    ft.FilledButton(sh.t("adm_outlet_new"), icon=ft.Icons.ADD_BUSINESS,
                                    on_click=lambda e: self.edit(None))],
                   spacing=24),
            table], spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def edit(self, outlet: OutletRow | None) -> None:
        sh = self.shell
        net = sh.services.admin.network
        o = outlet
        code = ft.TextField(label=sh.t("adm_code"), value=o.code if o else "", disabled=bool(outlet),
                            helper=sh.t("adm_outlet_hint") if outlet else None)
        name = ft.TextField(label=sh.t("adm_name"), value=o.name if o else "")
        regions = net.regions() + ([o.region] if o and o.region and o.region not in net.regions() else [])
        region = ft.Dropdown(label=sh.t("adm_region"), value=(o and o.region) or None,
                             options=options((r, r) for r in regions))
        city = ft.TextField(label=sh.t("adm_city"), value=o.city if o else "")
        address = ft.TextField(label=sh.t("adm_address"), value=o.address if o else "")
        phone = ft.TextField(label=sh.t("adm_phone"), value=o.phone if o else "")
        capacity = ft.TextField(label=sh.t("adm_capacity"),
                                value="" if o is None or o.capacity is None else str(o.capacity))
        coverage = ft.TextField(label=sh.t("adm_coverage"), value="，".join(o.coverage) if o else "")
        keep = ft.TextField(label=sh.t("adm_personal_data_days"), helper=sh.t("adm_personal_data_hint"),
                            value="" if o is None or o.personal_data_days is None else str(o.personal_data_days))
        have = set(o.qualifications) if o else set()
        quals = [ft.Checkbox(label=f"{n}（{c}）", value=c in have, data=c) for c, n in net.categories()]
        active = ft.Switch(label=sh.t("adm_active"), value=o.active if o else True)

        def ok():
            fields = dict(name=name.value, region=region.value or "", city=city.value, address=address.value,
                          phone=phone.value, capacity=capacity.value or 0, coverage=coverage.value,
                          qualifications=[q.data for q in quals if q.value], active=active.value,
                          personal_data_days=keep.value)
            if outlet is None:
                fields["code"] = code.value
            message, _ = attempt(sh, net.save_outlet, sh.session, outlet.id if outlet else None,
                                 done="adm_outlet_saved", **fields)
            return message

        title = sh.t("adm_outlet_edit", code=outlet.code) if outlet else sh.t("adm_outlet_new")
        form(sh, title, [pair_row(code, name), pair_row(region, city), pair_row(address), pair_row(phone, capacity),
                         pair_row(coverage, keep),
                         ft.Text(sh.t("adm_qualifications"), weight=ft.FontWeight.W_500),
                         ft.Row([ft.Container(q, width=150) for q in quals], wrap=True, spacing=4), active], ok,
                         sh.t("adm_save"))
