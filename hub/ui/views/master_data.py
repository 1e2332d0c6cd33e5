"""Master data (主数据): product models, product categories, parts and their prices, fault
categories and fault codes — one sub-screen at a time, each a list with add and edit.
Every form goes through hub/services/master_data.py, which checks the values (a refusal is
shown in the dialog, nothing saved) and writes the replicated row with its audit line, so
a change reaches the nodes at their next sync."""
import flet as ft

from shared.formatting import yuan
from shared.money import fen_to_yuan
from shared.ui import widgets as w
from hub.services.master_data import FaultCategory, FaultCode, Part, ProductCategory, ProductModel
from hub.ui.views.admin_common import active_chip, attempt, form, options, pair_row, switcher

PARTS = ["mds_models", "mds_categories", "mds_parts", "mds_fault_cats", "mds_fault_codes"]
ANY = "__any__"


def _plain_yuan(fen) -> str:
    return fen_to_yuan(int(fen or 0)).replace(",", "") if fen is not None else ""


class MasterDataView:
    screen = "mds_title"

    def __init__(self, shell):
        self.shell = shell
        self.part = PARTS[0]
        self.query = ""
        self.category = ANY

    @property
    def md(self):
        return self.shell.services.master_data

    def build(self) -> ft.Control:
        sh = self.shell
        body = {"mds_models": self._models, "mds_categories": self._categories, "mds_parts": self._parts,
                "mds_fault_cats": self._fault_cats, "mds_fault_codes": self._fault_codes}[self.part]()
        cats = [(ANY, sh.t("mds_all_categories"))] + [(c.code, f"{c.label(sh.lang)}（{c.code}）")
                                                     for c in self.md.categories(sh.session)]
        filters: list[ft.Control] = []
        if self.part != "mds_categories":
            filters.append(ft.Dropdown(label=sh.t("mds_category"), value=self.category, options=options(cats),
                                       width=220, on_select=lambda e: self._filter(category=e.control.value)))
        if self.part in ("mds_models", "mds_parts"):
            filters.append(ft.TextField(label=sh.t("mds_search"), value=self.query, width=220,
                                        prefix_icon=ft.Icons.SEARCH,
                                        on_submit=lambda e: self._filter(query=e.control.value)))
        return ft.Column([
            ft.Row([w.title(sh.t("mds_title")), switcher(sh, self.part, PARTS, self._pick)], spacing=24, wrap=True),
            ft.Row([*filters, ft.FilledButton(sh.t("mds_new"), icon=ft.Icons.ADD, on_click=lambda e: self._edit(None))],
                   spacing=12, wrap=True),
            w.muted(sh.t("mds_replicated_hint")),
            body], spacing=12, expand=True, scroll=ft.ScrollMode.AUTO)

    def _pick(self, part: str) -> None:
        self.part = part
        self.shell.render()

    def _filter(self, **kw) -> None:
        for k, v in kw.items():
            setattr(self, k, v or (ANY if k == "category" else ""))
        self.shell.render()

    @property
    def _cat(self) -> str | None:
        return None if self.category == ANY else self.category

    def _edit(self, row) -> None:
        {"mds_models": self.edit_model, "mds_categories": self.edit_category, "mds_parts": self.edit_part,
         "mds_fault_cats": self.edit_fault_cat, "mds_fault_codes": self.edit_fault_code}[self.part](row)

    def _edit_button(self, row) -> ft.Control:
        return ft.IconButton(ft.Icons.EDIT, tooltip=self.shell.t("adm_edit"), on_click=lambda e: self._edit(row))

    def _title(self, row, what: str) -> str:
        sh = self.shell
        return sh.t("mds_edit_title" if row is not None else "mds_new_title", what=sh.t(what))

    def _category_pick(self, value: str | None) -> ft.Dropdown:
        sh = self.shell
        cats = [(c.code, f"{c.label(sh.lang)}（{c.code}）") for c in self.md.categories(sh.session)]
        return ft.Dropdown(label=sh.t("mds_category"), value=value or (self._cat or (cats[0][0] if cats else None)),
                           options=options(cats))

    def _save(self, fn, row_id, **fields):
        sh = self.shell
        return attempt(sh, fn, sh.session, row_id, **fields)[0]

    # ---- product models ----

    def _models(self) -> ft.Control:
        sh = self.shell
        rows = [[m.code, m.name, m.category_label, m.warranty_months or "", active_chip(sh, m.active),
                 self._edit_button(m)] for m in self.md.models(sh.session, query=self.query, category=self._cat)]
        return w.table([sh.t(k) for k in ("mds_model_code", "mds_name", "mds_category", "mds_warranty",
                                          "adm_status", "adm_edit")], rows, numeric={3})

    def edit_model(self, m: ProductModel | None) -> None:
        sh = self.shell
        code = ft.TextField(label=sh.t("mds_model_code"), value=m.code if m else "")
        name = ft.TextField(label=sh.t("mds_name"), value=m.name if m else "")
        cat = self._category_pick(m and m.category)
        months = ft.TextField(label=sh.t("mds_warranty"), value=str((m and m.warranty_months) or ""))
        active = ft.Switch(label=sh.t("adm_active"), value=m.active if m else True)
        form(sh, self._title(m, "mds_models"), [pair_row(code, name), pair_row(cat, months), active],
             lambda: self._save(self.md.save_model, m and m.id, code=code.value, name=name.value, category=cat.value,
                                warranty_months=months.value or 0, active=active.value), sh.t("adm_save"), width=640)

    # ---- product categories ----

    def _categories(self) -> ft.Control:
        sh = self.shell
        rows = [[c.code, c.name + ("" if c.id else " " + sh.t("mds_vocab_only")), c.name_en, c.warranty_months or "",
                 active_chip(sh, c.active), self._edit_button(c)] for c in self.md.categories(sh.session)]
        return w.table([sh.t(k) for k in ("mds_code", "mds_name", "mds_name_en", "mds_warranty", "adm_status",
                                          "adm_edit")], rows, numeric={3})

    def edit_category(self, c: ProductCategory | None) -> None:
        sh = self.shell
        code = ft.TextField(label=sh.t("mds_code"), value=c.code if c else "", read_only=bool(c and c.id))
        name = ft.TextField(label=sh.t("mds_name"), value=c.name if c else "")
        name_en = ft.TextField(label=sh.t("mds_name_en"), value=c.name_en if c else "")
        months = ft.TextField(label=sh.t("mds_warranty"), value=str((c and c.warranty_months) or ""))
        active = ft.Switch(label=sh.t("adm_active"), value=c.active if c else True)
        form(sh, self._title(c, "mds_categories"),
             [pair_row(code, months), pair_row(name, name_en), active, w.muted(sh.t("mds_code_fixed_hint"))],
             lambda: self._save(self.md.save_category, c and c.id, code=code.value, name=name.value,
                                name_en=name_en.value, warranty_months=months.value or 0, active=active.value),
             sh.t("adm_save"), width=640)

    # ---- parts and prices ----

    def _parts(self) -> ft.Control:
        sh = self.shell
        codes = {m.id: m.code for m in self.md.models(sh.session)}
        rows = [[p.sku, p.name, p.category, yuan(p.unit_price), p.safety_stock,
                 ", ".join(codes.get(i, i) for i in p.models)[:60], active_chip(sh, p.active), self._edit_button(p)]
                for p in self.md.parts(sh.session, query=self.query, category=self._cat)]
        return w.table([sh.t(k) for k in ("mds_sku", "mds_name", "mds_category", "mds_price", "mds_safety",
                                          "mds_fits_col", "adm_status", "adm_edit")], rows, numeric={3, 4})

    def edit_part(self, p: Part | None) -> None:
        sh = self.shell
        codes = {m.id: m.code for m in self.md.models(sh.session)}
        sku = ft.TextField(label=sh.t("mds_sku"), value=p.sku if p else "")
        name = ft.TextField(label=sh.t("mds_name"), value=p.name if p else "")
        cat = self._category_pick(p and p.category)
        price = ft.TextField(label=sh.t("mds_price"), value=_plain_yuan(p.unit_price) if p else "", prefix="¥")
        safety = ft.TextField(label=sh.t("mds_safety"), value=str(p.safety_stock if p else 0))
        fits = ft.TextField(label=sh.t("mds_fits"), value=", ".join(codes.get(i, i) for i in p.models) if p else "",
                            multiline=True)
        active = ft.Switch(label=sh.t("adm_active"), value=p.active if p else True)
        form(sh, self._title(p, "mds_parts"), [pair_row(sku, name), pair_row(cat, price), safety, fits, active],
             lambda: self._save(self.md.save_part, p and p.id, sku=sku.value, name=name.value, category=cat.value,
                                unit_price=price.value or "", safety_stock=safety.value or 0, models=fits.value or "",
                                active=active.value), sh.t("adm_save"), width=640)

    # ---- fault categories ----

    def _fault_cats(self) -> ft.Control:
        sh = self.shell
        rows = [[g.category, g.code, g.name, g.name_en, g.position, active_chip(sh, g.active), self._edit_button(g)]
                for g in self.md.fault_categories(sh.session, self._cat)]
        return w.table([sh.t(k) for k in ("mds_category", "mds_code", "mds_name", "mds_name_en", "mds_position",
                                          "adm_status", "adm_edit")], rows, numeric={4})

    def edit_fault_cat(self, g: FaultCategory | None) -> None:
        sh = self.shell
        cat = self._category_pick(g and g.category)
        code = ft.TextField(label=sh.t("mds_code"), value=g.code if g else "")
        name = ft.TextField(label=sh.t("mds_name"), value=g.name if g else "")
        name_en = ft.TextField(label=sh.t("mds_name_en"), value=g.name_en if g else "")
        position = ft.TextField(label=sh.t("mds_position"), value=str(g.position if g else 0))
        active = ft.Switch(label=sh.t("adm_active"), value=g.active if g else True)
        form(sh, self._title(g, "mds_fault_cats"), [pair_row(cat, code), pair_row(name, name_en), position, active],
             lambda: self._save(self.md.save_fault_category, g and g.id, category=cat.value, code=code.value,
                                name=name.value, name_en=name_en.value, position=position.value or 0,
                                active=active.value), sh.t("adm_save"), width=640)

    # ---- fault codes ----

    def _groups(self) -> list[FaultCategory]:
        return self.md.fault_categories(self.shell.session, self._cat)

    def _fault_codes(self) -> ft.Control:
        sh = self.shell
        groups = {g.id: g.label(sh.lang) for g in self._groups()}
        rows = [[f.category, groups.get(f.fault_category_id, ""), f.code, f.name, f.cause[:30],
                 active_chip(sh, f.active), self._edit_button(f)]
                for f in self.md.fault_codes(sh.session, category=self._cat)]
        return w.table([sh.t(k) for k in ("mds_category", "mds_fault_cat", "mds_code", "mds_name", "mds_cause",
                                          "adm_status", "adm_edit")], rows)

    def edit_fault_code(self, f: FaultCode | None) -> None:
        sh = self.shell
        groups = [(g.id, f"{g.category} · {g.label(sh.lang)}") for g in self._groups()]
        group = ft.Dropdown(label=sh.t("mds_fault_cat"), options=options(groups),
                            value=f.fault_category_id if f else (groups[0][0] if groups else None))
        code = ft.TextField(label=sh.t("mds_code"), value=f.code if f else "")
        name = ft.TextField(label=sh.t("mds_name"), value=f.name if f else "")
        name_en = ft.TextField(label=sh.t("mds_name_en"), value=f.name_en if f else "")
        cause = ft.TextField(label=sh.t("mds_cause"), value=f.cause if f else "")
        active = ft.Switch(label=sh.t("adm_active"), value=f.active if f else True)
        form(sh, self._title(f, "mds_fault_codes"), [pair_row(group, code), pair_row(name, name_en), cause, active],
             lambda: self._save(self.md.save_fault_code, f and f.id, fault_category_id=group.value, code=code.value,
                                name=name.value, name_en=name_en.value, cause=cause.value, active=active.value),
             sh.t("adm_save"), width=640)
