"""Master data (主数据) as HQ maintains it: product categories, product models, parts and
their prices, and the fault categories and fault codes of each product category that call
intake picks from. All are hub-owned replicated tables in the `global` bucket, so each
change HQ saves here reaches every node at its next sync.

One validator per thing (`check_*`: typed or imported values → the row's values, or a
ServiceError naming the field in words); the screens, the import (hub/services/importing.py)
and the CLI go through them, and every save writes one audit row. Reading needs any HQ role;
changing needs the master-data work (shared/roles.py)."""
import re
import uuid
from dataclasses import dataclass

from shared import vocabulary as vocab
from shared.errors import ServiceError
from shared.labels import label, pair
from shared.roles import HqWork

from hub.services.admin_values import decoded, fen, text, text_list, whole
from hub.services.session import HubSession

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
CODE_LEN = 16
MODEL_LEN = 40


def what(field: str) -> tuple[str, str]:
    return pair("md_field", field)


def refuse(code: str, field: str, **params) -> ServiceError:
    return ServiceError.of(code, field=field, what=what(field), **params)


def code_of(value, field: str, *, n: int = CODE_LEN) -> str:
    """A code as stored: trimmed, upper case, letters, digits and hyphens."""
    s = " ".join(str(value if value is not None else "").split()).upper()
    if not s:
        raise refuse("required", field)
    if len(s) > n or not CODE.match(s):
        raise refuse("md_bad_code", field, n=n)
    return s


def flag(value, default: bool = True) -> bool:
    """A yes/no as given or typed in a file (1/0, 是/否, yes/no, true/false; empty: default)."""
    if isinstance(value, bool):
        return value
    s = str(value if value is not None else "").strip().lower()
    if not s:
        return default
    if s in ("1", "y", "yes", "true", "是", "启用", "有效"):
        return True
    if s in ("0", "n", "no", "false", "否", "停用", "无效"):
        return False
    raise refuse("bad_choice", "active")


@dataclass(frozen=True, slots=True)
class ProductCategory:
    id: str | None          # None: a category only the shared vocabulary names (not yet maintained)
    code: str
    name: str
    name_en: str
    warranty_months: int | None
    active: bool

    def label(self, lang: str) -> str:
        return (self.name_en or self.name) if lang == "en" else self.name


@dataclass(frozen=True, slots=True)
class FaultCategory:
    id: str
    category: str
    code: str
    name: str
    name_en: str
    position: int
    active: bool

    def label(self, lang: str) -> str:
        return (self.name_en or self.name) if lang == "en" else self.name


@dataclass(frozen=True, slots=True)
class FaultCode:
    id: str
    fault_category_id: str
    category: str
    code: str
    name: str
    name_en: str
    cause: str
    active: bool

    def label(self, lang: str) -> str:
        name = (self.name_en or self.name) if lang == "en" else self.name
        return name if self.code in name else f"{name} · {self.code}"


@dataclass(frozen=True, slots=True)
class ProductModel:
    id: str
    code: str
    name: str
    category: str
    category_label: str
    warranty_months: int | None
    active: bool


@dataclass(frozen=True, slots=True)
class Part:
    id: str
    sku: str
    name: str
    category: str
    unit_price: int          # fen
    safety_stock: int
    models: tuple[str, ...]  # model ids
    active: bool


def _put(table: str, row_id: str, fields: dict) -> dict:
    return {"op": "put", "table": table, "id": row_id, "fields": fields}


class MasterData:
    def __init__(self, ctx):
        self.ctx = ctx

    # ---- who may ----

    def _read(self, session: HubSession) -> None:
        self.ctx.current_user(session)  # any active HQ user reads master data

    def _change(self, session: HubSession) -> None:
        self.ctx.allow(session, HqWork.MASTER_DATA)

    def save(self, session: HubSession, table: str, row_id: str | None, values: dict, action: str) -> str:
        """The one write path of master data: a put and its audit row in one transaction."""
        rid = row_id or str(uuid.uuid4())
        with self.ctx.tx():
            self.ctx.write(session, [_put(table, rid, values)])
            self.ctx.audit(session, action, rid, " ".join(f"{k}={values[k]}" for k in sorted(values)
                                                          if k in ("code", "sku", "name", "active", "unit_price")))
        return rid

    def _existing(self, table: str, row_id: str | None, thing: str) -> dict | None:
        if row_id is None:
            return None
        row = self.ctx.row(table, row_id)
        if row is None:
            raise ServiceError.of("not_found", thing=what(thing))
        return decoded(table, row)

    def _unique(self, table: str, row_id: str | None, where: str, params: tuple, field: str, code: str) -> None:
        if self.ctx.scalar(f"SELECT COUNT(*) FROM [{table}] WHERE {where} AND id != ?", (*params, row_id or "")):
            raise refuse("md_code_taken", field, value=code)

    # ---- product categories ----

    def categories(self, session: HubSession | None = None, *, active_only: bool = False) -> list[ProductCategory]:
        """The maintained categories by code, then those only the shared vocabulary names
        (a hub whose master data nobody has maintained yet still knows 空调, 洗衣机 …)."""
        if session is not None:
            self._read(session)
        rows = self.ctx.query("SELECT * FROM product_categories ORDER BY code")
        out = [ProductCategory(r["id"], r["code"] or "", r["name"] or "", r["name_en"] or "",
                               r["warranty_months"], r["active"] != 0) for r in rows]
        known = {c.code for c in out}
        out += [ProductCategory(None, c["code"], c["name"], label("product_category", c["code"], "en"),
                                c["warranty_months"], True) for c in vocab.categories() if c["code"] not in known]
        return [c for c in out if c.active or not active_only]

    def category_codes(self) -> set[str]:
        return {c.code for c in self.categories()}

    def check_category(self, fields: dict, current: dict | None) -> dict:
        base = {**(current or {}), **fields}
        return {"code": code_of(base.get("code"), "product_category", n=8),
                "name": text(base.get("name"), "name", required=True, max_len=40),
                "name_en": text(base.get("name_en"), "name_en", max_len=60),
                "warranty_months": whole(base.get("warranty_months") or 0, "warranty_months"),
                "active": flag(base.get("active"))}

    def save_category(self, session: HubSession, category_id: str | None = None, **fields) -> str:
        self._change(session)
        current = self._existing("product_categories", category_id, "product_category")
        values = self.check_category(fields, current)
        if current is not None and current["code"] != values["code"]:
            raise refuse("md_code_fixed", "product_category")  # models, parts and faults name it
        with self.ctx.tx():
            self._unique("product_categories", category_id, "code = ?", (values["code"],), "product_category",
                         values["code"])
            return self.save(session, "product_categories", category_id, values,
                             "category_created" if current is None else "category_changed")

    # ---- fault categories and codes ----

    def fault_categories(self, session: HubSession, category: str | None = None, *,
                         active_only: bool = False) -> list[FaultCategory]:
        self._read(session)
        where, params = [], []
        if category:
            where.append("category = ?")
            params.append(category)
        if active_only:
            where.append("COALESCE(active, 1) != 0")
        rows = self.ctx.query("SELECT * FROM fault_categories" + (" WHERE " + " AND ".join(where) if where else "")
                              + " ORDER BY category, position, code", params)
        return [FaultCategory(r["id"], r["category"] or "", r["code"] or "", r["name"] or "", r["name_en"] or "",
                              r["position"] or 0, r["active"] != 0) for r in rows]

    def check_fault_category(self, fields: dict, current: dict | None) -> dict:
        base = {**(current or {}), **fields}
        category = text(base.get("category"), "category", required=True).upper()
        if category not in self.category_codes():
            raise refuse("md_unknown", "product_category", value=category)
        return {"category": category, "code": code_of(base.get("code"), "fault_category"),
                "name": text(base.get("name"), "name", required=True, max_len=40),
                "name_en": text(base.get("name_en"), "name_en", max_len=60),
                "position": whole(base.get("position") or 0, "position"), "active": flag(base.get("active"))}

    def save_fault_category(self, session: HubSession, fault_category_id: str | None = None, **fields) -> str:
        self._change(session)
        current = self._existing("fault_categories", fault_category_id, "fault_category")
        values = self.check_fault_category(fields, current)
        with self.ctx.tx():
            self._unique("fault_categories", fault_category_id, "category = ? AND code = ?",
                         (values["category"], values["code"]), "fault_category", values["code"])
            return self.save(session, "fault_categories", fault_category_id, values,
                             "fault_category_created" if current is None else "fault_category_changed")

    def fault_codes(self, session: HubSession, *, category: str | None = None, fault_category_id: str | None = None,
                    active_only: bool = False) -> list[FaultCode]:
        self._read(session)
        where, params = [], []
        if category:
            where.append("f.category = ?")
            params.append(category)
        if fault_category_id:
            where.append("f.fault_category_id = ?")
            params.append(fault_category_id)
        if active_only:
            where.append("COALESCE(f.active, 1) != 0 AND COALESCE(g.active, 1) != 0")
        rows = self.ctx.query(
            "SELECT f.* FROM fault_codes f LEFT JOIN fault_categories g ON g.id = f.fault_category_id"
            + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY f.category, g.position, f.code", params)
        return [_fault_code(r) for r in rows]

    def fault_code(self, fault_code_id: str) -> FaultCode | None:
        r = self.ctx.row("fault_codes", fault_code_id)
        return _fault_code(r) if r else None

    def check_fault_code(self, fields: dict, current: dict | None) -> dict:
        base = {**(current or {}), **fields}
        group_id = base.get("fault_category_id")
        group = self.ctx.row("fault_categories", group_id) if group_id else None
        if group is None:
            raise refuse("required", "fault_category")
        return {"fault_category_id": group_id, "category": group["category"],
                "code": code_of(base.get("code"), "fault_code"),
                "name": text(base.get("name"), "name", required=True, max_len=60),
                "name_en": text(base.get("name_en"), "name_en", max_len=80),
                "cause": text(base.get("cause"), "cause", max_len=200), "active": flag(base.get("active"))}

    def save_fault_code(self, session: HubSession, fault_code_id: str | None = None, **fields) -> str:
        self._change(session)
        current = self._existing("fault_codes", fault_code_id, "fault_code")
        values = self.check_fault_code(fields, current)
        with self.ctx.tx():
            self._unique("fault_codes", fault_code_id, "category = ? AND code = ?",
                         (values["category"], values["code"]), "fault_code", values["code"])
            return self.save(session, "fault_codes", fault_code_id, values,
                             "fault_code_created" if current is None else "fault_code_changed")

    # ---- product models ----

    def models(self, session: HubSession, *, query: str = "", category: str | None = None) -> list[ProductModel]:
        self._read(session)
        where, params = [], []
        if category:
            where.append("category = ?")
            params.append(category)
        q = (query or "").strip()
        if q:
            where.append("(code LIKE ? OR name LIKE ?)")
            params += [f"%{q}%"] * 2
        names = {c.code: c.label(session.lang) for c in self.categories()}
        rows = self.ctx.query("SELECT * FROM product_models" + (" WHERE " + " AND ".join(where) if where else "")
                              + " ORDER BY code", params)
        return [ProductModel(r["id"], r["code"] or "", r["name"] or "", r["category"] or "",
                             names.get(r["category"] or "", r["category"] or ""), r["warranty_months"],
                             r["active"] != 0) for r in rows]

    def check_model(self, fields: dict, current: dict | None) -> dict:
        base = {**(current or {}), **fields}
        code = text(base.get("code"), "product_model", required=True, max_len=200)
        if len(code) > MODEL_LEN:
            raise refuse("md_bad_code", "product_model", n=MODEL_LEN)
        category = text(base.get("category"), "category", required=True).upper()
        if category not in self.category_codes():
            raise refuse("md_unknown", "product_category", value=category)
        return {"code": code, "name": text(base.get("name"), "name", required=True, max_len=60),
                "category": category, "warranty_months": whole(base.get("warranty_months") or 0, "warranty_months"),
                "active": flag(base.get("active"))}

    def save_model(self, session: HubSession, model_id: str | None = None, **fields) -> str:
        self._change(session)
        current = self._existing("product_models", model_id, "product_model")
        values = self.check_model(fields, current)
        with self.ctx.tx():
            self._unique("product_models", model_id, "upper(code) = upper(?)", (values["code"],),
                         "product_model", values["code"])
            return self.save(session, "product_models", model_id, values,
                             "model_created" if current is None else "model_changed")

    # ---- parts and prices ----

    def parts(self, session: HubSession, *, query: str = "", category: str | None = None) -> list[Part]:
        self._read(session)
        where, params = [], []
        if category:
            where.append("category = ?")
            params.append(category)
        q = (query or "").strip()
        if q:
            where.append("(sku LIKE ? OR name LIKE ?)")
            params += [f"%{q}%"] * 2
        rows = self.ctx.query("SELECT * FROM parts" + (" WHERE " + " AND ".join(where) if where else "")
                              + " ORDER BY sku", params)
        return [_part(decoded("parts", r), r["id"]) for r in rows]

    def check_part(self, fields: dict, current: dict | None) -> dict:
        """`models`: model ids, or model codes (an import names them by code)."""
        base = {**(current or {}), **fields}
        sku = text(base.get("sku"), "sku", required=True, max_len=200).upper()
        if len(sku) > 24 or not CODE.match(sku):
            raise refuse("md_bad_code", "sku", n=24)
        category = text(base.get("category"), "category", required=True).upper()
        if category not in self.category_codes():
            raise refuse("md_unknown", "product_category", value=category)
        models = []
        for m in text_list(base.get("models") or [], "models"):
            row = self.ctx.row("product_models", m) or self.ctx.one(   # by id (the key) first: no scan
                "SELECT id FROM product_models WHERE upper(code) = upper(?)", (m,))
            if row is None:
                raise refuse("md_unknown", "product_model", value=m)
            models.append(row["id"])
        return {"sku": sku, "name": text(base.get("name"), "name", required=True, max_len=60), "category": category,
                "unit_price": fen(base.get("unit_price") if base.get("unit_price") is not None else "", "unit_price"),
                "safety_stock": whole(base.get("safety_stock") or 0, "safety_stock"), "models": models,
                "active": flag(base.get("active"))}

    def save_part(self, session: HubSession, part_id: str | None = None, **fields) -> str:
        self._change(session)
        current = self._existing("parts", part_id, "part")
        values = self.check_part(fields, current)
        with self.ctx.tx():
            self._unique("parts", part_id, "sku = ?", (values["sku"],), "sku", values["sku"])
            return self.save(session, "parts", part_id, values, "part_created" if current is None else "part_changed")


def _fault_code(r: dict) -> FaultCode:
    return FaultCode(r["id"], r["fault_category_id"] or "", r["category"] or "", r["code"] or "", r["name"] or "",
                     r["name_en"] or "", r["cause"] or "", r["active"] != 0)


def _part(p: dict, pid: str) -> Part:
    return Part(pid, p.get("sku") or "", p.get("name") or "", p.get("category") or "", p.get("unit_price") or 0,
                p.get("safety_stock") or 0, tuple(p.get("models") or ()), p.get("active") is not False)
