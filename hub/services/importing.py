"""Import and export of the data HQ keeps (issue #15 item 3): customers, outlets, users,
product models, parts, and part prices, from and to CSV and Excel files. HQ's web UI (导入/
导出), `fieldsync hub import|export` and the tests all come here.

- A file names its columns in its first row, in Chinese, in English or by the field's key
  (shared/labels.py "import_column"); the key column (phone, outlet code, username, model,
  part number) must be there, the others may be left out. A row is matched to the row the
  hub holds by that key: no match is **new**, a match whose values differ is **changed**,
  else **unchanged**. An empty cell leaves the value as it is (a new row: the default) — an
  import never clears a field by accident.
- Every row goes through the validator the forms use (master_data.check_*, the network's
  outlet and user checks, `Customers.check`), so a value refused on a screen is refused in a
  file; each bad row is reported by its line number in words (`RowError`, zh and en).
- `plan` is the dry run: what would change, and every bad row. `apply` writes only a file
  without a bad row, all of it in one transaction through `HubContext.write` (so the changes
  reach the nodes) with one audit row, or nothing at all.
- Passwords and PINs: a user's row may carry them; they are checked by the same rules as in
  the user form (weak PINs refused), hashed before the transaction and never shown, audited
  or kept in a plan's rows. A new user without a password gets a generated one, returned once.
- Who may: outlets and users are the admin's work; customers, models, parts and prices are
  master data (shared/roles.py)."""
import re
import uuid
from dataclasses import dataclass, field

from shared import phone as phones
from shared.errors import ServiceError
from shared.intake import MEMBER_LEVELS, normal_phone
from shared.labels import LABELS, label, pair
from shared.passwords import generate_password, hash_password, hash_pin
from shared.roles import HqWork, Role

from hub.services import table_files
from hub.services.admin_values import decoded, fen, text, text_list
from hub.services.master_data import flag, refuse
from hub.services.session import HubSession

STATUSES = ("new", "changed", "unchanged")
SECRET = ("password", "pin")


@dataclass(frozen=True)
class Entity:
    name: str
    table: str
    work: str
    key: str                       # the field that matches a file's row to the hub's
    columns: tuple[str, ...]       # fields, in the order of an export (labels "import_column")
    imported_only: tuple[str, ...] = ()   # columns a file may have that an export leaves out
    ignored: tuple[str, ...] = ()         # columns a file may have that the import reads past


ENTITIES: dict[str, Entity] = {e.name: e for e in (
    Entity("customers", "customers", HqWork.MASTER_DATA, "phone",
           ("customer_name", "phone", "city", "address", "member_level")),
    Entity("outlets", "outlets", HqWork.ADMIN, "outlet_code",
           ("outlet_code", "outlet_name", "region", "city", "address", "phone", "coverage", "qualifications",
            "capacity", "personal_data_days", "active")),
    Entity("users", "users", HqWork.ADMIN, "username",
           ("username", "display_name", "role", "outlet_code", "phone", "active"), imported_only=SECRET),
    Entity("product_models", "product_models", HqWork.MASTER_DATA, "model_code",
           ("model_code", "model_name", "category", "warranty_months", "active")),
    Entity("parts", "parts", HqWork.MASTER_DATA, "sku",
           ("sku", "part_name", "category", "unit_price", "safety_stock", "models", "active")),
    Entity("prices", "parts", HqWork.MASTER_DATA, "sku", ("sku", "part_name", "unit_price"),
           ignored=("part_name",)),
)}
# a file's column → the field the services know it by
FIELD_OF = {"customer_name": "name", "outlet_code": "code", "outlet_name": "name", "model_code": "code",
            "model_name": "name", "part_name": "name"}

# other headers people give these columns (a file from another system, or typed by hand)
ALIASES = {"customer_name": ("姓名", "客户", "name"), "phone": ("电话号码", "手机", "手机号", "phone number"),
           "model_code": ("型号", "model code"), "model_name": ("名称",), "part_name": ("名称",),
           "outlet_name": ("名称",), "unit_price": ("单价", "价格", "price"), "sku": ("配件号", "编码"),
           "outlet_code": ("网点",), "category": ("类别", "品类"), "display_name": ("name",)}


@dataclass(frozen=True)
class RowError:
    line: int
    message_zh: str
    message_en: str

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh


@dataclass(frozen=True)
class Change:
    column: str                # an "import_column" key
    old: str                   # as a person reads it ("" for a new row)
    new: str


@dataclass
class PlannedRow:
    line: int
    key: str
    status: str                            # new / changed / unchanged
    changes: list[Change]
    row_id: str
    values: dict = field(repr=False)       # what would be written (all of it for a new row)
    secret: dict = field(default_factory=dict, repr=False, compare=False)   # password / pin as typed


@dataclass
class Plan:
    entity: str
    rows: list[PlannedRow]
    errors: list[RowError]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in STATUSES}


@dataclass(frozen=True)
class Imported:
    entity: str
    counts: dict[str, int]
    passwords: list[tuple[str, str]]       # (username, generated password): show once, never log


class ImportRefused(ServiceError):
    """A file with bad rows: nothing was written; `errors` has every one by line."""

    def __init__(self, errors: list[RowError]):
        first = errors[0]
        base = ServiceError.of("import_bad_rows", n=len(errors), first=(first.message_zh, first.message_en))
        super().__init__("import_bad_rows", base.message_zh, base.message_en)
        self.errors = errors


def entity_of(name: str) -> Entity:
    e = ENTITIES.get(name)
    if e is None:
        raise ServiceError.of("import_entity", entity=name)
    return e


def header(column: str, lang: str) -> str:
    return label("import_column", column, lang)


def _norm(s: str) -> str:
    s = str(s).strip().lower().replace("（", "(").replace("）", ")").replace("*", "")
    return re.sub(r"\s+", "", s)


def _column_names(entity: Entity) -> dict[str, str]:
    """Every header a file may use → the column."""
    out = {}
    for c in (*entity.columns, *entity.imported_only):
        zh, en = LABELS["import_column"][c]
        for name in (zh, en, c, FIELD_OF.get(c, c), re.sub(r"\(.*\)", "", _norm(zh)), re.sub(r"\(.*\)", "", _norm(en)),
                     *ALIASES.get(c, ())):
            out.setdefault(_norm(name), c)
    return out


def _yuan(f: int | None) -> str:
    if f is None:
        return ""
    whole, cents = divmod(int(f), 100)
    return f"{whole}.{cents:02d}"


def _row_error(line: int, e: ServiceError) -> RowError:
    full = ServiceError.of("import_row", line=line, message=(e.message_zh, e.message_en))
    return RowError(line, full.message_zh, full.message_en)


class Importing:
    def __init__(self, ctx, master_data, network):
        self.ctx, self.md, self.network = ctx, master_data, network

    # ---- the dry run ----

    def plan(self, session: HubSession, entity: str, data: bytes, file_name: str) -> Plan:
        """What importing this file would do, row by row, and every bad row; writes nothing.
        A file that cannot be read at all (format, header) is refused as a whole."""
        e = entity_of(entity)
        me = self.ctx.allow(session, e.work)
        table = table_files.read_table(data, file_name)
        return self._plan(e, table, me)

    def _plan(self, e: Entity, table: table_files.Table, me: dict) -> Plan:
        names = _column_names(e)
        columns: list[str | None] = []
        for h in table.header:
            if not h.strip():
                columns.append(None)
                continue
            c = names.get(_norm(h))
            if c is None:
                shown = "、".join(label("import_column", c, "zh") for c in (*e.columns, *e.imported_only))
                shown_en = ", ".join(label("import_column", c, "en") for c in (*e.columns, *e.imported_only))
                raise ServiceError.of("import_unknown_column", column=h, columns=(shown, shown_en))
            columns.append(c)
        if e.key not in columns:
            raise ServiceError.of("import_missing_column", column=pair("import_column", e.key))
        if not table.rows:
            raise ServiceError.of("import_no_rows")
        plan = Plan(e.name, [], [])
        seen: dict[str, int] = {}
        memo: dict = {}   # what every row looks up alike (the table's rows, model codes), read once per plan
        for line, cells in table.rows:
            given = {c: cells[i].strip() if i < len(cells) else "" for i, c in enumerate(columns)
                     if c is not None and c not in e.ignored}
            given = {c: v for c, v in given.items() if v != ""}
            try:
                key = self._key(e, given.get(e.key, ""))
                if key in seen:
                    raise ServiceError.of("import_twice", line=seen[key], what=pair("import_column", e.key),
                                          value=given.get(e.key, key))
                seen[key] = line
                plan.rows.append(self._row(e, line, key, given, me, memo))
            except ServiceError as refusal:
                plan.errors.append(_row_error(line, refusal))
        return plan

    @staticmethod
    def _key(e: Entity, raw: str) -> str:
        if not raw:
            raise refuse("required", e.key) if e.key in LABELS["md_field"] else ServiceError.of(
                "required", what=pair("import_column", e.key))
        if e.key == "phone":
            if not phones.plausible(raw):
                raise ServiceError.of("bad_phone", field="phone")
            return normal_phone(raw)
        if e.key == "username":
            return raw.lower()
        return raw.upper()

    def _current(self, e: Entity, key: str, memo: dict) -> dict | None:
        """The hub's row of this key. Customers (many; phone indexed) one by one; the
        reference tables (thousands at most; keys compared without case, so no index
        serves) read once per plan."""
        ctx = self.ctx
        if e.name == "customers":
            rows = ctx.query("SELECT * FROM customers WHERE phone = ? ORDER BY id", (key,))
            rows.sort(key=lambda r: r["merged_into"] is not None)   # the customer kept before a duplicate
            return rows[0] if rows else None
        if "rows" not in memo:
            column = "username" if e.name == "users" else "sku" if e.table == "parts" else "code"
            memo["rows"] = {self._key(e, str(r[column] or "")): r for r in ctx.query(f"SELECT * FROM [{e.table}]")
                            if r[column]}
        return memo["rows"].get(key)

    def _row(self, e: Entity, line: int, key: str, given: dict, me: dict, memo: dict) -> PlannedRow:
        raw = self._current(e, key, memo)
        current = decoded(e.table, raw) if raw is not None else None
        secret = {k: given.pop(k) for k in SECRET if k in given}
        values = getattr(self, f"_check_{e.name}")(given, current, secret, memo)
        if e.name == "users" and raw is not None and raw["id"] == me["id"] and \
                (values.get("active") is False or values.get("role") != Role.ADMIN):
            raise ServiceError.of("self_admin")
        if current is None:
            changes = [Change(c, "", self._shown(e, c, values)) for c in e.columns
                       if values.get(self._field(e, c)) not in (None, "", [])]
            return PlannedRow(line, key, "new", changes, str(uuid.uuid4()), values, secret)
        changed = {k: v for k, v in values.items() if not _same(current.get(k), v)}
        changes = [Change(c, self._shown(e, c, current), self._shown(e, c, changed)) for c in e.columns
                   if self._field(e, c) in changed]
        changes += [Change(k, "", "••••") for k in secret]
        status = "changed" if changes else "unchanged"
        return PlannedRow(line, key, status, changes, raw["id"], changed, secret)

    @staticmethod
    def _field(e: Entity, column: str) -> str:
        if e.name == "users" and column == "outlet_code":
            return "outlet_id"
        return FIELD_OF.get(column, column)

    def _shown(self, e: Entity, column: str, values: dict) -> str:
        """A value as a person reads it in a file (the export writes the same)."""
        v = values.get(self._field(e, column))
        if column == "active":
            return "" if v is None else ("是" if v is not False else "否")
        if column == "unit_price":
            return _yuan(v)
        if column == "outlet_code" and e.name == "users":
            o = self.ctx.row("outlets", v) if v else None
            return o["code"] if o else ""
        if column == "models":
            codes = []
            for mid in v or ():
                m = self.ctx.row("product_models", mid)
                codes.append(m["code"] if m else mid)
            return ", ".join(codes)
        if column == "role":
            return label("role", v, "zh") if v else ""
        if isinstance(v, (list, tuple)):
            return "、".join(str(x) for x in v)
        return "" if v is None else str(v)

    # ---- one validator per entity: the file's cells → the values to write ----

    def _category(self, value: str) -> str:
        """A product category by code or by its name (空调, air conditioner)."""
        for c in self.md.categories():
            if value.strip().lower() in (c.name.lower(), c.name_en.lower(), label("product_category", c.code, "en")):
                return c.code
        return value

    def _check_customers(self, given: dict, current: dict | None, secret: dict, memo: dict) -> dict:
        base = {**(current or {}), **{FIELD_OF.get(k, k): v for k, v in given.items()}}
        values = {"name": text(base.get("name"), "name", required=True, max_len=200),
                  "city": text(base.get("city"), "city", required=True, max_len=200),
                  "address": text(base.get("address"), "address", required=True, max_len=200),
                  "phone": normal_phone(str(base.get("phone") or ""))}
        level = text(base.get("member_level"), "member_level") or None
        if level is not None and level not in MEMBER_LEVELS:
            raise refuse("bad_choice", "member_level")
        values["member_level"] = level
        if current is None:
            values["created_at"] = self.ctx.now()
        return values

    def _check_outlets(self, given: dict, current: dict | None, secret: dict, memo: dict) -> dict:
        fields = {FIELD_OF.get(k, k): v for k, v in given.items()}
        if "qualifications" in fields:
            fields["qualifications"] = [self._category(q).upper() for q in text_list(fields["qualifications"],
                                                                                      "qualifications")]
        if "active" in fields:
            fields["active"] = flag(fields["active"])
        values = self.network.outlet_values(fields, creating=current is None)
        if current is None:
            values.setdefault("active", True)
        return values

    def _check_users(self, given: dict, current: dict | None, secret: dict, memo: dict) -> dict:
        fields = dict(given)
        if "role" in fields:
            fields["role"] = _role(fields["role"])
        if "outlet_code" in fields:
            fields["outlet_id"] = self.network.outlet_id_of(fields.pop("outlet_code"))
        active = flag(fields.pop("active")) if "active" in fields else (True if current is None else
                                                                         current.get("active") is not False)
        base = {**(current or {}), **fields}
        values = self.network.user_values(base, current)
        values["active"] = active
        if "password" in secret:
            self.network.check_password(secret["password"])
        if "pin" in secret:
            self.network.check_pin(secret["pin"], values)
        return values

    def _check_product_models(self, given: dict, current: dict | None, secret: dict, memo: dict) -> dict:
        fields = {FIELD_OF.get(k, k): v for k, v in given.items()}
        if "category" in fields:
            fields["category"] = self._category(fields["category"])
        return self.md.check_model(fields, current)

    def _check_parts(self, given: dict, current: dict | None, secret: dict, memo: dict) -> dict:
        fields = {FIELD_OF.get(k, k): v for k, v in given.items()}
        if "category" in fields:
            fields["category"] = self._category(fields["category"])
        if "models" in fields:   # codes → ids here, from one read (check_part would scan per code)
            if "models" not in memo:
                memo["models"] = {str(r["code"] or "").upper(): r["id"]
                                  for r in self.ctx.query("SELECT id, code FROM product_models")}
            fields["models"] = [memo["models"].get(m.upper(), m) for m in text_list(fields["models"], "models")]
        return self.md.check_part(fields, current)

    def _check_prices(self, given: dict, current: dict | None, secret: dict, memo: dict) -> dict:
        if current is None:
            raise refuse("md_unknown", "part", value=given.get("sku", ""))
        if "unit_price" not in given:
            raise refuse("required", "unit_price")
        return {"unit_price": fen(given["unit_price"], "unit_price")}

    # ---- the import ----

    def apply(self, session: HubSession, entity: str, data: bytes, file_name: str) -> Imported:
        """Import the file: all of it in one transaction, or — with any bad row — nothing
        (ImportRefused lists every bad row). Rows are validated again inside the
        transaction, against what the hub holds at that moment."""
        e = entity_of(entity)
        me = self.ctx.allow(session, e.work)
        table = table_files.read_table(data, file_name)
        first = self._plan(e, table, me)
        if first.errors:
            raise ImportRefused(first.errors)
        hashes, generated = self._hashes(e, first)   # slow on purpose: before the transaction
        with self.ctx.tx():
            plan = self._plan(e, table, me)
            if plan.errors:
                raise ImportRefused(plan.errors)
            ops, shown = [], []
            for r in plan.rows:
                if r.status == "unchanged":
                    continue
                fields = {**r.values, **hashes.get(r.line, {})}
                if e.name == "users" and r.status == "new":
                    if "password_hash" not in fields:   # a user made meanwhile went away again: rare
                        generated[r.line] = generate_password()
                        fields["password_hash"] = hash_password(generated[r.line])
                    if r.line in generated:
                        shown.append((r.values["username"], generated[r.line]))
                ops.append({"op": "put", "table": e.table, "id": r.row_id, "fields": fields})
            if ops:
                self.ctx.write(session, ops)
            counts = plan.counts
            self.ctx.audit(session, f"import_{e.name}", file_name[:200],
                           " ".join(f"{s}={counts[s]}" for s in STATUSES))
        return Imported(e.name, counts, shown)

    @staticmethod
    def _hashes(e: Entity, plan: Plan) -> tuple[dict[int, dict], dict[int, str]]:
        hashes: dict[int, dict] = {}
        generated: dict[int, str] = {}
        if e.name != "users":
            return hashes, generated
        for r in plan.rows:
            h = {}
            if "password" in r.secret:
                h["password_hash"] = hash_password(r.secret["password"])
            elif r.status == "new":
                generated[r.line] = generate_password()
                h["password_hash"] = hash_password(generated[r.line])
            if "pin" in r.secret:
                h["pin_hash"] = hash_pin(r.secret["pin"])
            if h:
                hashes[r.line] = h
        return hashes, generated

    # ---- export ----

    def export_rows(self, session: HubSession, entity: str, lang: str = "zh") -> tuple[list[str], list[list]]:
        """The header (in `lang`) and the rows of the entity as the import reads them back."""
        e = entity_of(entity)
        self.ctx.allow(session, e.work)
        where = " WHERE merged_into IS NULL" if e.name == "customers" else ""
        order = {"customers": "name, phone", "users": "username"}.get(e.name, "sku" if e.table == "parts" else "code")
        rows = []
        for raw in self.ctx.query(f"SELECT * FROM [{e.table}]{where} ORDER BY {order}"):
            values = {**decoded(e.table, raw), "id": raw["id"]}
            row = []
            for c in e.columns:
                v = self._shown(e, c, values)
                if c == "active" and v == "":
                    v = "是"
                if c == "active" and lang == "en":
                    v = {"是": "yes", "否": "no"}[v]
                if c == "role" and lang == "en":
                    v = values.get("role") or ""
                row.append(v)
            rows.append(row)
        return [header(c, lang) for c in e.columns], rows

    def export(self, session: HubSession, entity: str, fmt: str, lang: str = "zh") -> bytes:
        head, rows = self.export_rows(session, entity, lang)
        if fmt == "xlsx":
            return table_files.to_xlsx(head, rows, label("import_entity", entity, lang))
        if fmt == "csv":
            return table_files.to_csv(head, rows)
        raise ServiceError.of("import_format", name=f".{fmt}")


def _same(old, new) -> bool:
    """Nothing is nothing, however stored (NULL, "", [])."""
    return old == new or (old in (None, "", []) and new in (None, "", []))


def _role(value: str) -> str:
    """A role by its key (technician) or its name in either language (维修师傅, HQ agent)."""
    v = value.strip()
    for r in Role:
        zh, en = pair("role", str(r))
        if v.lower() in (str(r), zh.lower(), en.lower()):
            return str(r)
    return v
