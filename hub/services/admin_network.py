"""The service network as HQ administers it: outlets (code, address, coverage, product
qualifications, capacity) and the people who log in — HQ users without an outlet and
outlet users with theirs. Both are replicated reference data: outlets travel in the
`global` bucket, a user in its outlet's bucket (so a deactivated technician is stopped on
the tablet at the next sync). HQ's web UI, the CLI and the admin API all create outlets
here, with the same checks and one audit row naming the actor. Passwords and PINs are
stored only as scrypt hashes; a generated password is returned once and never logged or
audited."""
import re
import uuid
from dataclasses import dataclass

from shared import phone as phones
from shared import retention
from shared import vocabulary as vocab
from shared.errors import ServiceError
from shared.labels import label, pair
from shared.passwords import generate_password, hash_password, hash_pin, weak_pin_hash
from shared.roles import HUB_ROLES, OUTLET_ROLES, HqWork, Role

from hub.services.admin_values import decoded, refuse, text, text_list, whole
from hub.services.session import HubSession

CODE = re.compile(r"^[A-Z0-9]{2,12}$")
PIN = re.compile(r"^[0-9]{6,12}$")  # shared.passwords: why six digits at least
MIN_PASSWORD = 8
OUTLET_FIELDS = ("code", "name", "region", "city", "address", "phone", "coverage",
                 "qualifications", "capacity", "active", "personal_data_days")
USER_FIELDS = ("username", "display_name", "role", "outlet_id", "phone", "active")


@dataclass(frozen=True, slots=True)
class OutletRow:
    """An outlet as the administration lists and edits it."""
    id: str
    code: str
    name: str
    region: str
    city: str
    address: str
    phone: str
    coverage: tuple[str, ...]
    qualifications: tuple[str, ...]         # category codes
    qualification_names: tuple[str, ...]    # the same, named
    capacity: int | None
    active: bool
    users: int                              # active users
    nodes: int                              # enrolled, active devices
    personal_data_days: int | None = None   # set by HQ; None: shared.retention.DEFAULT_DAYS


@dataclass(frozen=True, slots=True)
class UserRow:
    """A user without their hashes: only whether a password / PIN is set."""
    id: str
    username: str
    display_name: str
    role: str
    role_label: str                         # in the reader's language
    outlet_id: str | None
    outlet_code: str | None
    outlet_name: str
    phone: str
    active: bool
    has_password: bool
    has_pin: bool


def category_name(code: str, lang: str = "zh") -> str:
    """A product category code (AC, WM, …) as a person reads it; in English with its code.
    A code the vocabulary does not know reads as itself."""
    zh = next((c["name"] for c in vocab.categories() if c["code"] == code), None)
    if zh is None:
        return code
    if lang != "en":
        return zh
    en = label("product_category", code, "en")
    return f"{en[:1].upper()}{en[1:]} ({code})"


def _put(table: str, row_id: str, fields: dict) -> dict:
    return {"op": "put", "table": table, "id": row_id, "fields": fields}


class Network:
    def __init__(self, ctx):
        self.ctx = ctx

    # ---- vocabulary the forms offer ----

    def categories(self) -> list[tuple[str, str]]:
        """Product categories an outlet may be qualified for: (code, name), the shared
        vocabulary's first, then any other category the product models use."""
        known = [(c["code"], c["name"]) for c in vocab.categories()]
        codes = {c for c, _ in known}
        extra = [r["category"] for r in self.ctx.query(
            "SELECT DISTINCT category FROM product_models WHERE category IS NOT NULL ORDER BY category")
            if r["category"] not in codes]
        return known + [(c, c) for c in extra]

    def regions(self) -> list[str]:
        return [r["name"] for r in vocab.regions()]

    # ---- outlets ----

    def outlets(self, session: HubSession, *, include_inactive: bool = True) -> list[OutletRow]:
        """Every outlet with its counts of active users and enrolled nodes, by code."""
        self.ctx.allow(session, HqWork.ADMIN)
        return [o for o in self._outlets() if include_inactive or o.active]

    def outlet(self, session: HubSession, outlet_id: str) -> OutletRow:
        self.ctx.allow(session, HqWork.ADMIN)
        found = self._outlets(outlet_id)
        if not found:
            raise ServiceError.of("not_found", thing=pair("admin_field", "outlet"))
        return found[0]

    def _outlets(self, outlet_id: str | None = None) -> list[OutletRow]:
        names = dict(self.categories())
        nodes = self.ctx.hub.active_nodes_by_outlet()
        out = []
        for r in self.ctx.query(
                "SELECT o.*, (SELECT COUNT(*) FROM users u WHERE u.outlet_id = o.id AND u.active = 1) AS users"
                " FROM outlets o" + (" WHERE o.id = ?" if outlet_id else "") + " ORDER BY o.code",
                (outlet_id,) if outlet_id else ()):
            o = decoded("outlets", r)
            quals = tuple(o.get("qualifications") or ())
            out.append(OutletRow(r["id"], o.get("code") or "", o.get("name") or "", o.get("region") or "",
                                 o.get("city") or "", o.get("address") or "", o.get("phone") or "",
                                 tuple(o.get("coverage") or ()), quals, tuple(names.get(q, q) for q in quals),
                                 o.get("capacity"), o.get("active") is not False, r["users"], nodes.get(r["id"], 0),
                                 o.get("personal_data_days")))
        return out

    def save_outlet(self, session: HubSession, outlet_id: str | None = None, **fields) -> str:
        """Create an outlet (no id) or change the given fields of one; returns its id."""
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        unknown = set(fields) - set(OUTLET_FIELDS)
        if unknown:
            raise TypeError(f"not outlet fields: {sorted(unknown)}")
        current = ctx.row("outlets", outlet_id) if outlet_id else None
        if outlet_id and current is None:
            raise ServiceError.of("not_found", thing=pair("admin_field", "outlet"))
        values = self.outlet_values(fields, creating=current is None)
        with ctx.tx():
            if "code" in values:
                if current is not None and values["code"] != current["code"]:
                    raise ServiceError.of("outlet_code_fixed", field="code")
                if current is None and ctx.scalar("SELECT 1 FROM outlets WHERE code = ?", (values["code"],)):
                    raise ServiceError.of("outlet_code_taken", field="code", outlet_code=values["code"])
            oid = outlet_id or str(uuid.uuid4())
            if current is None:
                values.setdefault("active", True)
            ctx.write(session, [_put("outlets", oid, values)])
            ctx.audit(session, "outlet_created" if current is None else "outlet_changed", oid,
                      " ".join(f"{k}={values[k]}" for k in sorted(values)
                               if k in ("code", "name", "active", "capacity")))
        return oid

    def outlet_values(self, fields: dict, creating: bool) -> dict:
        v: dict = {}
        if creating or "code" in fields:
            code = text(fields.get("code"), "code", required=True).upper()
            if not CODE.match(code):
                raise ServiceError.of("bad_outlet_code", field="code")
            v["code"] = code
        if creating or "name" in fields:
            v["name"] = text(fields.get("name"), "name", required=True, max_len=80)
        for f in ("region", "city", "address"):
            if f in fields:
                v[f] = text(fields[f], f, max_len=200)
        if "phone" in fields:
            p = text(fields["phone"], "phone", max_len=30)
            if p and not phones.plausible(p):
                raise ServiceError.of("bad_phone", field="phone")
            v["phone"] = p
        if "coverage" in fields:
            v["coverage"] = text_list(fields["coverage"], "coverage")
        if "qualifications" in fields:
            known = {c for c, _ in self.categories()}
            quals = text_list(fields["qualifications"], "qualifications")
            if any(q not in known for q in quals):
                raise refuse("bad_choice", "category")
            v["qualifications"] = quals
        if "capacity" in fields:
            v["capacity"] = whole(fields["capacity"], "capacity")
        if "personal_data_days" in fields:
            v["personal_data_days"] = self._retention(fields["personal_data_days"])
        if "active" in fields:
            v["active"] = bool(fields["active"])
        return v

    # ---- users ----

    def outlet_id_of(self, code: str) -> str:
        """The outlet of a code, as the CLI, the admin API and an import name it."""
        row = self.ctx.one("SELECT id FROM outlets WHERE code = ?", (" ".join(str(code or "").split()).upper(),))
        if row is None:
            raise ServiceError.of("outlet_unknown", field="outlet")
        return row["id"]

    def users(self, session: HubSession, *, outlet_id: str | None = None, role: str | None = None,
              query: str = "", hq_only: bool = False) -> list[UserRow]:
        """Users without their hashes (only whether a password / PIN is set), HQ users
        first, then by outlet and name."""
        self.ctx.allow(session, HqWork.ADMIN)
        where, params = [], []
        if hq_only:
            where.append("u.outlet_id IS NULL")
        elif outlet_id:
            where.append("u.outlet_id = ?")
            params.append(outlet_id)
        if role:
            where.append("u.role = ?")
            params.append(role)
        q = (query or "").strip()
        if q:
            where.append("(u.username LIKE ? OR u.display_name LIKE ? OR u.phone LIKE ?)")
            params += [f"%{q}%"] * 3
        rows = self.ctx.query(
            "SELECT u.*, o.code AS outlet_code, o.name AS outlet_name FROM users u"
            " LEFT JOIN outlets o ON o.id = u.outlet_id" + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY u.outlet_id IS NOT NULL, o.code, u.role, u.username", params)
        return [self._public(r, session.lang) for r in rows]

    def user(self, session: HubSession, user_id: str) -> UserRow:
        self.ctx.allow(session, HqWork.ADMIN)
        r = self.ctx.one("SELECT u.*, o.code AS outlet_code, o.name AS outlet_name FROM users u"
                         " LEFT JOIN outlets o ON o.id = u.outlet_id WHERE u.id = ?", (user_id,))
        if r is None:
            raise ServiceError.of("not_found", thing=pair("admin_field", "username"))
        return self._public(r, session.lang)

    @staticmethod
    def _public(r: dict, lang: str) -> UserRow:
        u = decoded("users", r)
        return UserRow(r["id"], u.get("username") or "", u.get("display_name") or "", u["role"],
                       label("role", u["role"], lang), u.get("outlet_id"), r.get("outlet_code"),
                       r.get("outlet_name") or "", u.get("phone") or "", bool(u.get("active")),
                       bool(u.get("password_hash")), bool(u.get("pin_hash")))

    def create_user(self, session: HubSession, *, username: str, display_name: str, role: str,
                    outlet_id: str | None = None, phone: str = "", password: str | None = None,
                    pin: str | None = None) -> tuple[str, str | None]:
        """A new active user; returns (id, the generated password) — the password only
        when none was given, to be shown once. Outlet users may get a PIN as well."""
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        values = self.user_values({"username": username, "display_name": display_name, "role": role,
                                    "outlet_id": outlet_id or None, "phone": phone}, None)
        generated = None
        if password is None or password == "":
            generated = password = generate_password()
        self.check_password(password)
        if pin:
            self.check_pin(pin, values)
        uid = str(uuid.uuid4())
        with ctx.tx():
            self._unique_username(values["username"], None)
            fields = {**values, "active": True, "password_hash": hash_password(password)}
            if pin:
                fields["pin_hash"] = hash_pin(pin)
            ctx.write(session, [_put("users", uid, fields)])
            ctx.audit(session, "user_created", uid, f"{values['username']} {values['role']}"
                      + (f" outlet={values['outlet_id']}" if values["outlet_id"] else ""))
        return uid, generated

    def update_user(self, session: HubSession, user_id: str, **fields) -> None:
        """Change name, role, outlet, phone or active; a move or a deactivation reaches the
        outlet's node(s) at their next sync."""
        ctx = self.ctx
        me = ctx.allow(session, HqWork.ADMIN)
        unknown = set(fields) - set(USER_FIELDS)
        if unknown:
            raise TypeError(f"not user fields: {sorted(unknown)}")
        current = decoded("users", ctx.row("users", user_id))
        if current is None:
            raise ServiceError.of("not_found", thing=pair("admin_field", "username"))
        merged = {**current, **fields}
        values = self.user_values(merged, current)
        values = {k: values[k] for k in values if k in fields or k == "outlet_id"}
        if "active" in fields:
            values["active"] = bool(fields["active"])
        if user_id == me["id"] and (values.get("active") is False or values.get("role", Role.ADMIN) != Role.ADMIN):
            raise ServiceError.of("self_admin")
        changed = {k: v for k, v in values.items() if current.get(k) != v}
        if not changed:
            return
        with ctx.tx():
            if "username" in changed:
                self._unique_username(changed["username"], user_id)
            ctx.write(session, [_put("users", user_id, changed)])
            ctx.audit(session, "user_deactivated" if changed.get("active") is False else "user_changed", user_id,
                      " ".join(f"{k}={changed[k]}" for k in sorted(changed)))

    def deactivate_user(self, session: HubSession, user_id: str) -> None:
        self.update_user(session, user_id, active=False)

    def set_password(self, session: HubSession, user_id: str, password: str | None = None) -> str | None:
        """Set a new password; with none given, generate one and return it (shown once)."""
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        if ctx.row("users", user_id) is None:
            raise ServiceError.of("not_found", thing=pair("admin_field", "username"))
        generated = None
        if not password:
            generated = password = generate_password()
        self.check_password(password)
        with ctx.tx():
            ctx.write(session, [_put("users", user_id, {"password_hash": hash_password(password)})])
            ctx.audit(session, "password_set", user_id, "generated" if generated else "typed")
        return generated

    def set_pin(self, session: HubSession, user_id: str, pin: str) -> None:
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        user = ctx.row("users", user_id)
        if user is None:
            raise ServiceError.of("not_found", thing=pair("admin_field", "username"))
        self.check_pin(pin, user)
        with ctx.tx():
            ctx.write(session, [_put("users", user_id, {"pin_hash": hash_pin(pin)})])
            ctx.audit(session, "pin_set", user_id)

    def retire_weak_pins(self, session: HubSession) -> int:
        """Remove every PIN hash of the old, cheap rule (shared.passwords.weak_pin_hash): the
        removal replicates, so no outlet PC keeps a hash a thief could search in minutes.
        Those users log in with their password until they get a new PIN. Returns how many."""
        ctx = self.ctx
        ctx.allow(session, HqWork.ADMIN)
        with ctx.tx():
            weak = [r["id"] for r in ctx.query("SELECT id, pin_hash FROM users WHERE pin_hash IS NOT NULL "
                                              "AND pin_hash != '' ORDER BY id") if weak_pin_hash(r["pin_hash"])]
            if weak:
                ctx.write(session, [_put("users", uid, {"pin_hash": None}) for uid in weak])
                ctx.audit(session, "weak_pins_retired", "", str(len(weak)))
        return len(weak)

    # ---- checks ----

    def user_values(self, fields: dict, current: dict | None) -> dict:
        v = {"username": text(fields.get("username"), "username", required=True, max_len=40),
             "display_name": text(fields.get("display_name"), "display_name", required=True, max_len=40),
             "phone": text(fields.get("phone"), "phone", max_len=30)}
        if v["phone"] and not phones.plausible(v["phone"]):
            raise ServiceError.of("bad_phone", field="phone")
        role = str(fields.get("role") or "")
        try:
            role = Role(role)
        except ValueError:
            raise ServiceError.of("role_unknown", field="role", role=role) from None
        v["role"] = str(role)
        outlet_id = fields.get("outlet_id") or None
        names = pair("role", str(role))
        if role in OUTLET_ROLES:
            if outlet_id is None:
                raise ServiceError.of("outlet_required", field="outlet", role=names)
            outlet = self.ctx.row("outlets", outlet_id)
            same = current is not None and current.get("outlet_id") == outlet_id
            if outlet is None or (not outlet.get("active") and not same):
                raise ServiceError.of("outlet_unknown", field="outlet")
        elif role in HUB_ROLES and outlet_id is not None:
            raise ServiceError.of("hq_no_outlet", field="outlet", role=names)
        v["outlet_id"] = outlet_id
        return v

    def _unique_username(self, username: str, user_id: str | None) -> None:
        if self.ctx.scalar("SELECT COUNT(*) FROM users WHERE lower(username) = lower(?) AND id != ?",
                           (username, user_id or "")):
            raise ServiceError.of("username_taken", field="username", username=username)

    @staticmethod
    def _retention(value) -> int | None:
        """Days an outlet's nodes keep personal data of ended orders; empty: the default."""
        if value is None or str(value).strip() == "":
            return None
        try:
            n = whole(value, "personal_data_days", minimum=retention.MIN_DAYS)
        except ServiceError:
            n = None
        if n is None or n > retention.MAX_DAYS:
            raise refuse("bad_retention", "personal_data_days", min=retention.MIN_DAYS, max=retention.MAX_DAYS,
                         default=retention.DEFAULT_DAYS)
        return n

    @staticmethod
    def check_password(password: str) -> None:
        if len(password or "") < MIN_PASSWORD:
            raise ServiceError.of("weak_password", field="password", n=MIN_PASSWORD)

    @staticmethod
    def check_pin(pin: str, user: dict) -> None:
        if user.get("role") not in OUTLET_ROLES:
            raise ServiceError.of("pin_outlet_only", field="pin")
        if not PIN.match(str(pin or "")):
            raise ServiceError.of("bad_pin", field="pin")
