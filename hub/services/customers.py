"""HQ's customer database (客户资料): the list searched by name, phone, address or member
level; customer groups; the products each customer owns; merging a duplicate.

- The products a customer owns are HQ's record (`hq_customer_products`): every product an
  order of theirs names is listed until HQ edits it, and an edited one is kept as edited.
- A duplicate is never deleted: outlets' orders name it. Merging sets its replicated
  `merged_into` to the customer kept; its calls, complaints, groups and products move to
  that customer, and its orders are shown as theirs (intake's card, the record here).

Groups and owned products are hub-only. Reading and editing need the customers work;
merging is master data (shared/roles.py)."""
import datetime
from dataclasses import dataclass

from shared import phone as phones
from shared.errors import ServiceError
from shared.intake import MEMBER_LEVELS, normal_phone
from shared.roles import HqWork

from hub.services.admin_values import text
from hub.services.master_data import refuse, what
from hub.services.session import HubSession

DDL = (
    """CREATE TABLE IF NOT EXISTS hq_customer_groups (id TEXT PRIMARY KEY, name TEXT NOT NULL, note TEXT,
        created_at INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS hq_customer_group_members (id TEXT PRIMARY KEY, group_id TEXT NOT NULL,
        customer_id TEXT NOT NULL, UNIQUE (group_id, customer_id))""",
    "CREATE INDEX IF NOT EXISTS ix_hq_customer_group_members_customer ON hq_customer_group_members (customer_id)",
    """CREATE TABLE IF NOT EXISTS hq_customer_products (id TEXT PRIMARY KEY, customer_id TEXT NOT NULL,
        product_model_id TEXT, serial_no TEXT, purchase_date TEXT, order_id TEXT, updated_at INTEGER NOT NULL,
        updated_by TEXT)""",
    "CREATE INDEX IF NOT EXISTS ix_hq_customer_products_customer ON hq_customer_products (customer_id)",
)
PAGE = 50


@dataclass(frozen=True, slots=True)
class CustomerRow:
    id: str
    name: str
    phone: str
    city: str
    address: str
    member_level: str | None
    orders: int


@dataclass(frozen=True, slots=True)
class OwnedProduct:
    id: str | None           # None: from an order, not yet edited by HQ
    product_model_id: str | None
    model_code: str
    model_name: str
    serial_no: str
    purchase_date: str
    order_id: str | None
    order_number: str


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    name: str
    note: str
    members: int


@dataclass(frozen=True)
class CustomerRecord:
    customer: CustomerRow
    groups: list[Group]
    products: list[OwnedProduct]
    merged: list[CustomerRow]     # the duplicates merged into this one


def _row(r: dict) -> CustomerRow:
    return CustomerRow(r["id"], r["name"] or "", r["phone"] or "", r["city"] or "", r["address"] or "",
                       r["member_level"], r.get("orders") or 0)


class Customers:
    def __init__(self, ctx):
        self.ctx = ctx

    def _allow(self, session: HubSession) -> None:
        self.ctx.allow(session, HqWork.CUSTOMERS)

    # ---- the list ----

    def search(self, session: HubSession, query: str = "", *, member_level: str | None = None,
               group_id: str | None = None, page: int = 0) -> tuple[list[CustomerRow], int]:
        """Customers (not merged away) whose name, phone or address holds `query`, by name;
        one page of PAGE and the count of all that match."""
        self._allow(session)
        where, params = ["c.merged_into IS NULL"], []
        q = " ".join((query or "").split())
        if q:
            digits = normal_phone(q)
            clauses = ["c.name LIKE ?", "c.address LIKE ?"]
            params += [f"%{q}%", f"%{q}%"]
            if len(digits) >= 3 and not any(ch.isalpha() for ch in q):
                clauses.append("c.phone LIKE ?")
                params.append(f"%{digits}%")
            where.append("(" + " OR ".join(clauses) + ")")
        if member_level:
            where.append("c.member_level = ?")
            params.append(member_level)
        if group_id:
            where.append("c.id IN (SELECT customer_id FROM hq_customer_group_members WHERE group_id = ?)")
            params.append(group_id)
        sql_where = " WHERE " + " AND ".join(where)
        total = self.ctx.scalar("SELECT COUNT(*) FROM customers c" + sql_where, params) or 0
        rows = self.ctx.query(
            "SELECT c.*, (SELECT COUNT(*) FROM service_orders o WHERE o.customer_id = c.id) AS orders "
            "FROM customers c" + sql_where + " ORDER BY c.name, c.phone LIMIT ? OFFSET ?",
            [*params, PAGE, max(0, int(page)) * PAGE])
        return [_row(r) for r in rows], total

    def record(self, session: HubSession, customer_id: str) -> CustomerRecord:
        self._allow(session)
        r = self.ctx.row("customers", customer_id)
        if r is None:
            raise ServiceError.of("not_found", thing=what("customer"))
        ids = self.ids_of(customer_id)
        marks = ", ".join("?" for _ in ids)
        orders = self.ctx.scalar(f"SELECT COUNT(*) FROM service_orders WHERE customer_id IN ({marks})", ids)
        merged = [_row(m) for m in self.ctx.query("SELECT * FROM customers WHERE merged_into = ? ORDER BY name",
                                                  (customer_id,))]
        return CustomerRecord(_row({**r, "orders": orders}), self._groups_of(customer_id),
                              self.products(session, customer_id), merged)

    def ids_of(self, customer_id: str) -> list[str]:
        """The customer and every duplicate merged into them (their orders are the customer's)."""
        return [customer_id] + [r["id"] for r in self.ctx.query(
            "SELECT id FROM customers WHERE merged_into = ?", (customer_id,))]

    # ---- owned products ----

    def products(self, session: HubSession, customer_id: str) -> list[OwnedProduct]:
        """What HQ recorded, then each product the customer's orders name that no record
        covers (same order, or same model and serial)."""
        self._allow(session)
        ids = self.ids_of(customer_id)
        marks = ", ".join("?" for _ in ids)
        kept = self.ctx.query(
            "SELECT p.*, m.code AS model_code, m.name AS model_name, o.number AS order_number "
            "FROM hq_customer_products p LEFT JOIN product_models m ON m.id = p.product_model_id "
            "LEFT JOIN service_orders o ON o.id = p.order_id WHERE p.customer_id = ? ORDER BY p.purchase_date DESC",
            (customer_id,))
        out = [OwnedProduct(p["id"], p["product_model_id"], p["model_code"] or "", p["model_name"] or "",
                            p["serial_no"] or "", p["purchase_date"] or "", p["order_id"], p["order_number"] or "")
               for p in kept]
        seen_orders = {p.order_id for p in out if p.order_id}
        seen = {(p.product_model_id, p.serial_no) for p in out}
        for o in self.ctx.query(
                "SELECT o.id, o.number, o.product_model_id, o.serial_no, o.purchase_date, m.code, m.name "
                f"FROM service_orders o LEFT JOIN product_models m ON m.id = o.product_model_id "
                f"WHERE o.customer_id IN ({marks}) AND o.product_model_id IS NOT NULL ORDER BY o.created_at DESC",
                ids):
            key = (o["product_model_id"], o["serial_no"] or "")
            if o["id"] in seen_orders or key in seen:
                continue
            seen.add(key)
            out.append(OwnedProduct(None, o["product_model_id"], o["code"] or "", o["name"] or "",
                                    o["serial_no"] or "", o["purchase_date"] or "", o["id"], o["number"] or ""))
        return out

    def save_product(self, session: HubSession, customer_id: str, product_id: str | None = None, *,
                     product_model_id: str, serial_no: str = "", purchase_date: str = "",
                     order_id: str | None = None) -> str:
        """Record (or correct) a product the customer owns; one from an order keeps its order."""
        self._allow(session)
        ctx = self.ctx
        if ctx.row("customers", customer_id) is None:
            raise ServiceError.of("not_found", thing=what("customer"))
        if not product_model_id or ctx.row("product_models", product_model_id) is None:
            raise refuse("required", "product_model")
        date = text(purchase_date, "purchase_date", max_len=10)
        if date and not _iso_date(date):
            raise refuse("bad_choice", "purchase_date")
        fields = {"customer_id": customer_id, "product_model_id": product_model_id,
                  "serial_no": text(serial_no, "serial_no", max_len=60), "purchase_date": date,
                  "order_id": order_id or None, "updated_at": ctx.now(), "updated_by": session.user_id}
        with ctx.tx():
            if product_id:
                if ctx.one("SELECT id FROM hq_customer_products WHERE id = ? AND customer_id = ?",
                           (product_id, customer_id)) is None:
                    raise ServiceError.of("not_found", thing=what("product_model"))
                ctx.update("hq_customer_products", product_id, fields)
            else:
                product_id = ctx.insert("hq_customer_products", fields)
            ctx.audit(session, "customer_product_saved", customer_id, product_id)
        return product_id

    # ---- groups ----

    def groups(self, session: HubSession) -> list[Group]:
        self._allow(session)
        return [Group(g["id"], g["name"], g["note"] or "", g["members"]) for g in self.ctx.query(
            "SELECT g.*, (SELECT COUNT(*) FROM hq_customer_group_members m WHERE m.group_id = g.id) AS members "
            "FROM hq_customer_groups g ORDER BY g.name")]

    def _groups_of(self, customer_id: str) -> list[Group]:
        return [Group(g["id"], g["name"], g["note"] or "", 0) for g in self.ctx.query(
            "SELECT g.* FROM hq_customer_groups g JOIN hq_customer_group_members m ON m.group_id = g.id "
            "WHERE m.customer_id = ? ORDER BY g.name", (customer_id,))]

    def save_group(self, session: HubSession, group_id: str | None = None, *, name: str, note: str = "") -> str:
        self._allow(session)
        ctx = self.ctx
        values = {"name": text(name, "group", required=True, max_len=40), "note": text(note, "note", max_len=200)}
        with ctx.tx():
            if ctx.scalar("SELECT COUNT(*) FROM hq_customer_groups WHERE name = ? AND id != ?",
                          (values["name"], group_id or "")):
                raise refuse("md_code_taken", "group", value=values["name"])
            if group_id:
                if ctx.one("SELECT id FROM hq_customer_groups WHERE id = ?", (group_id,)) is None:
                    raise ServiceError.of("not_found", thing=what("group"))
                ctx.update("hq_customer_groups", group_id, values)
            else:
                group_id = ctx.insert("hq_customer_groups", {**values, "created_at": ctx.now()})
            ctx.audit(session, "customer_group_saved", group_id, values["name"])
        return group_id

    def set_groups(self, session: HubSession, customer_id: str, group_ids: list[str]) -> None:
        """The customer is in exactly these groups."""
        self._allow(session)
        ctx = self.ctx
        with ctx.tx() as c:
            if ctx.row("customers", customer_id) is None:
                raise ServiceError.of("not_found", thing=what("customer"))
            for g in group_ids:
                if ctx.one("SELECT id FROM hq_customer_groups WHERE id = ?", (g,)) is None:
                    raise ServiceError.of("not_found", thing=what("group"))
            c.execute("DELETE FROM hq_customer_group_members WHERE customer_id = ?", (customer_id,))
            for g in dict.fromkeys(group_ids):
                ctx.insert("hq_customer_group_members", {"group_id": g, "customer_id": customer_id})
            ctx.audit(session, "customer_groups_set", customer_id, " ".join(group_ids))

    # ---- the customer's own record ----

    def save(self, session: HubSession, customer_id: str, **fields) -> None:
        """Change name, phone, city, address or member level (replicated: the outlets
        holding an order of theirs see it at their next sync)."""
        self._allow(session)
        ctx = self.ctx
        current = ctx.row("customers", customer_id)
        if current is None:
            raise ServiceError.of("not_found", thing=what("customer"))
        values = {}
        for f in ("name", "city", "address"):
            if f in fields:
                values[f] = text(fields[f], f, required=True, max_len=200)
        if "phone" in fields:
            raw = text(fields["phone"], "phone", required=True, max_len=30)
            if not phones.plausible(raw):
                raise ServiceError.of("bad_phone", field="phone")
            values["phone"] = normal_phone(raw)
        if "member_level" in fields:
            level = text(fields["member_level"], "member_level") or None
            if level is not None and level not in MEMBER_LEVELS:
                raise refuse("bad_choice", "member_level")
            values["member_level"] = level
        with ctx.tx():
            if "phone" in values:
                other = ctx.one("SELECT name FROM customers WHERE phone = ? AND id != ? AND merged_into IS NULL",
                                (values["phone"], customer_id))
                if other is not None:
                    raise ServiceError.of("phone_taken", field="phone", phone=values["phone"], name=other["name"])
            ctx.write(session, [{"op": "put", "table": "customers", "id": customer_id, "fields": values}])
            ctx.audit(session, "customer_edited", customer_id, " ".join(sorted(values)))

    def merge(self, session: HubSession, keep_id: str, duplicate_id: str) -> None:
        """Merge `duplicate_id` into `keep_id`: the duplicate points at the customer kept,
        and HQ's calls, complaints, groups and owned products of it move there."""
        ctx = self.ctx
        ctx.allow(session, HqWork.MASTER_DATA)
        if keep_id == duplicate_id:
            raise ServiceError.of("merge_self")
        with ctx.tx() as c:
            keep, dup = ctx.row("customers", keep_id), ctx.row("customers", duplicate_id)
            if keep is None or dup is None:
                raise ServiceError.of("not_found", thing=what("customer"))
            if keep["merged_into"] or dup["merged_into"]:
                raise ServiceError.of("merged_customer")
            ctx.write(session, [{"op": "put", "table": "customers", "id": duplicate_id,
                                 "fields": {"merged_into": keep_id}}])
            # earlier duplicates of the duplicate follow it
            for r in ctx.query("SELECT id FROM customers WHERE merged_into = ?", (duplicate_id,)):
                ctx.write(session, [{"op": "put", "table": "customers", "id": r["id"],
                                     "fields": {"merged_into": keep_id}}])
            for table in ("hq_requests", "hq_complaints", "hq_customer_products"):
                c.execute(f"UPDATE {table} SET customer_id = ? WHERE customer_id = ?", (keep_id, duplicate_id))
            # the duplicate's groups pass to the customer kept, but for those it is in already
            # (SQLite's UPDATE OR IGNORE, written the way PostgreSQL takes it too)
            c.execute("UPDATE hq_customer_group_members SET customer_id = ? WHERE customer_id = ? AND group_id NOT IN"
                      " (SELECT group_id FROM hq_customer_group_members WHERE customer_id = ?)",
                      (keep_id, duplicate_id, keep_id))
            c.execute("DELETE FROM hq_customer_group_members WHERE customer_id = ?", (duplicate_id,))
            if not keep["member_level"] and dup["member_level"]:
                ctx.write(session, [{"op": "put", "table": "customers", "id": keep_id,
                                     "fields": {"member_level": dup["member_level"]}}])
            ctx.audit(session, "customers_merged", keep_id, duplicate_id)


def _iso_date(s: str) -> bool:
    try:
        datetime.date.fromisoformat(s)
        return len(s) == 10
    except ValueError:
        return False
