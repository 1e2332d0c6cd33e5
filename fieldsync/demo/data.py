"""Demo data for a hub: a plausible Chinese appliance service network, the same for the
same seed and `now`. Three regions with two outlets each, their managers, clerks and
technicians, customers, product models, parts, fee rules, SLA policies, survey templates,
knowledge-base articles, and 90 days of service orders whose status, event history, parts
used and stock moves follow the order state machine — and their history at HQ
(fieldsync/demo/history.py): the agents' calls that created them, the callbacks on closed
orders, repeat repairs, and (`complaint_history=True`, the served demo) complaints.

Everything is written through `HubStore.write` (batches of at most 1000 ops), so it is
relayed into the buckets like any HQ write. Hub writes bypass the node authoriser; the
rows are built to be what the authoriser would have accepted anyway.

    data = generate(hub, seed=6)          # full size (5,000 orders); `sizes=SMALL` for tests
    generate(hub, complaint_history=True)  # and complaints, the older ones handled to the end
    data.logins, data.counts, data.seconds
"""
import random
import time
import uuid
from dataclasses import dataclass, field

from faker import Faker

from fieldsync.demo import history

from shared import vocabulary as vocab
from shared.labels import label
from shared.numbering import hq_number
from shared.orders import HUB, OrderType, Priority, Status
from shared.passwords import hash_password, hash_pin
from shared.periods import DAY_MS, local_date, ms_of
from shared.roles import Role
from shared.stock import MoveKind, pair_ref
from shared.warranty import IN, warranty_status
from sync.hlc import now_ms

DEMO_PASSWORD = "demo1234"
DEMO_PIN = "123456"
BATCH = 1000
MINUTE = 60_000
HOUR = 60 * MINUTE


@dataclass(frozen=True)
class Sizes:
    technicians: int = 40
    customers: int = 2000
    parts: int = 300
    kb_articles: int = 200
    orders: int = 5000
    days: int = 90


FULL = Sizes()
SMALL = Sizes(technicians=12, customers=150, parts=60, kb_articles=30, orders=300, days=30)


@dataclass(frozen=True)
class Login:
    outlet_code: str
    username: str
    display_name: str
    role: str


@dataclass
class DemoData:
    outlets: list[dict]                 # id, code, name, city, region
    logins: list[Login]
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    now: int = 0

    def outlet(self, code: str) -> dict:
        return next(o for o in self.outlets if o["code"] == code)


def put(table: str, row_id: str, **fields) -> dict:
    return {"op": "put", "table": table, "id": row_id, "fields": fields}


def add(table: str, row_id: str, **fields) -> dict:
    return {"op": "add", "table": table, "id": row_id, "fields": fields}


def write_batched(hub, ops: list[dict]) -> None:
    for i in range(0, len(ops), BATCH):
        hub.write(ops[i:i + BATCH])


def generate(hub, *, seed: int = 6, now: int | None = None, sizes: Sizes = FULL,
             complaint_history: bool = False) -> DemoData:
    """Write the demo network into `hub` (an empty or freshly initialised HubStore), then
    HQ's own history of it (calls, callbacks; complaints when `complaint_history`)."""
    started = time.perf_counter()
    gen = _Generator(seed, now if now is not None else now_ms(), sizes)
    ops = gen.build()
    write_batched(hub, ops)
    history.record(hub, gen.story, complaints=complaint_history)
    data = DemoData(outlets=[{k: o[k] for k in ("id", "code", "name", "city", "region")} for o in gen.outlets],
                    logins=gen.logins, now=gen.now)
    for op in ops:
        data.counts[op["table"]] = data.counts.get(op["table"], 0) + 1
    data.counts["service_orders"] = len(gen.orders)
    data.seconds = time.perf_counter() - started
    return data


class _Generator:
    def __init__(self, seed: int, now: int, sizes: Sizes):
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.now, self.sizes = now, sizes
        self.v = vocab.vocabulary()
        self.outlets: list[dict] = []
        self.logins: list[Login] = []
        self.techs: dict[str, list[str]] = {}
        self.orders: list[dict] = []
        self.consumed: dict[tuple[str, str], int] = {}
        self.spare: dict[tuple[str, str], int] = {}  # in the store after the history: (outlet, part) → qty
        # HQ's side of the story, from its own random stream (history.py): what the ops
        # above draw is the same with or without it
        self.story = history.Story(seed, now)

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def build(self) -> list[dict]:
        ops = self.outlet_ops() + self.user_ops() + self.category_ops() + self.model_ops() + self.part_ops()
        ops += self.fee_ops() + self.sla_ops() + self.survey_ops() + self.kb_ops()
        ops += self.customer_ops()
        ops += self.order_ops()
        ops += self.receipt_ops()
        ops += self.bag_ops()
        ops += self.more_agents()  # last: the ids drawn before them stay what they were
        return ops

    def more_agents(self) -> list[dict]:
        """Two more call-centre agents, so that the agents' report compares people."""
        ops = []
        for username in ("hq.agent.02", "hq.agent.03"):
            uid, name = self.uid(), self.fake.name()
            ops.append(put("users", uid, username=username, display_name=name, role=str(Role.HQ_AGENT),
                           phone=self.mobile(), password_hash=hash_password(DEMO_PASSWORD), active=True))
            self.logins.append(Login("HQ", username, name, str(Role.HQ_AGENT)))
        return ops

    # ---- places and people ----

    def address(self, city: str, district: str | None = None) -> str:
        v, rng = self.v, self.rng
        district = district or rng.choice(v["districts"][city])
        return (f"{city}市{district}{rng.choice(v['street_names'])}{rng.choice(v['street_suffixes'])}"
                f"{rng.randint(1, 999)}号{rng.choice(v['estate_names'])}{rng.choice(v['residence_suffixes'])}"
                f"{rng.randint(1, 30)}栋{rng.randint(1, 32)}{rng.randint(1, 4):02d}室")

    def mobile(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randint(0, 9)}{self.rng.randint(0, 99999999):08d}"

    def outlet_ops(self) -> list[dict]:
        ops, all_cats = [], [c["code"] for c in vocab.categories()]
        for region in vocab.regions():
            for k in range(2):
                city = region["cities"][k]
                district = self.rng.choice(self.v["districts"][city])
                quals = all_cats if k == 0 else sorted(self.rng.sample(all_cats, 4), key=all_cats.index)
                o = {"id": self.uid(), "code": f"{region['code']}{k + 1:02d}",
                     "name": f"{city}{district}服务网点", "region": region["name"], "city": city,
                     "address": self.address(city, district), "phone": self.mobile(),
                     "coverage": region["cities"][k::2], "qualifications": quals,
                     "capacity": self.rng.randrange(40, 81, 5), "active": True}
                self.outlets.append(o)
                ops.append(put("outlets", o["id"], **{c: v for c, v in o.items() if c != "id"}))
        return ops

    def user_ops(self) -> list[dict]:
        password, pin = hash_password(DEMO_PASSWORD), hash_pin(DEMO_PIN)  # hashed once, shared
        ops = []

        def user(username, role, outlet=None):
            uid, name = self.uid(), self.fake.name()
            ops.append(put("users", uid, username=username, display_name=name, role=str(role),
                           outlet_id=outlet["id"] if outlet else None, phone=self.mobile(),
                           password_hash=password, pin_hash=pin, active=True))
            self.logins.append(Login(outlet["code"] if outlet else "HQ", username, name, str(role)))
            return uid

        user("hq.agent", Role.HQ_AGENT)
        user("hq.approver", Role.HQ_APPROVER)
        for o in self.outlets:
            prefix = o["code"].lower()
            user(f"{prefix}.manager", Role.OUTLET_MANAGER, o)
            user(f"{prefix}.clerk", Role.CLERK, o)
            self.techs[o["id"]] = []
        for i in range(self.sizes.technicians):
            o = self.outlets[i % len(self.outlets)]
            n = len(self.techs[o["id"]]) + 1
            self.techs[o["id"]].append(user(f"{o['code'].lower()}.tech{n:02d}", Role.TECHNICIAN, o))
        return ops

    # ---- catalogue and rules ----

    @staticmethod
    def category_ops() -> list[dict]:
        """Product categories, and the fault categories and codes of each (master data);
        ids derived from the codes, so the rest of the demo keeps its random sequence."""
        ops = []

        def fixed(*key) -> str:
            return str(uuid.uuid5(uuid.NAMESPACE_URL, "fieldsync:" + ":".join(key)))
        names = {g["code"]: g for g in vocab.fault_groups()}
        for cat in vocab.categories():
            ops.append(put("product_categories", fixed("category", cat["code"]), code=cat["code"], name=cat["name"],
                           name_en=label("product_category", cat["code"], "en").capitalize(),
                           warranty_months=cat["warranty_months"], active=True))
            used = list(dict.fromkeys(f["group"] for f in cat["faults"]))
            for position, g in enumerate(used, 1):
                ops.append(put("fault_categories", fixed("fault_category", cat["code"], g), category=cat["code"],
                               code=g, name=names[g]["name"], name_en=names[g]["name_en"], position=position,
                               active=True))
            for f in cat["faults"]:
                code = vocab.fault_code(cat, f)
                ops.append(put("fault_codes", fixed("fault_code", cat["code"], code),
                               fault_category_id=fixed("fault_category", cat["code"], f["group"]),
                               category=cat["code"], code=code, name=f["text"], name_en=f["en"],
                               cause=f["cause"], active=True))
        return ops

    def model_ops(self) -> list[dict]:
        self.models: dict[str, list[dict]] = {}  # category -> models
        ops = []
        for cat in vocab.categories():
            self.models[cat["code"]] = []
            for prefix in cat["model_prefixes"]:
                name, *suffixes = self.v["model_names"][prefix]
                for suffix in suffixes:
                    m = {"id": self.uid(), "code": prefix + suffix, "name": f"{cat['name']} {name}",
                         "category": cat["code"], "warranty_months": cat["warranty_months"],
                         "prefix": prefix}
                    self.models[cat["code"]].append(m)
                    ops.append(put("product_models", m["id"], code=m["code"], name=m["name"],
                                   category=m["category"], warranty_months=m["warranty_months"], active=True))
        return ops

    def part_ops(self) -> list[dict]:
        self.parts: dict[str, list[dict]] = {}  # category -> parts
        kinds = [(cat, p) for cat in vocab.categories() for p in cat["parts"]]
        ops, seen = [], set()
        for i in range(self.sizes.parts):
            cat, base = kinds[i % len(kinds)]
            round_ = i // len(kinds)
            prefix = cat["model_prefixes"][round_ % len(cat["model_prefixes"])]
            series = prefix.rstrip("-")
            name = f"{base['name']}（{series}系列）"
            k = 1
            while name in seen:
                k += 1
                name = f"{base['name']}（{series}系列 {chr(64 + k)}款）"
            seen.add(name)
            lo, hi = base["price"]
            price = self.rng.randint(lo // 100, hi // 100) * 100
            p = {"id": self.uid(), "sku": f"{cat['code']}-{len(self.parts.get(cat['code'], [])) + 1001}",
                 "name": name, "base": base["name"], "category": cat["code"], "unit_price": price,
                 "safety_stock": self.rng.randint(4, 10) if price < 10000 else self.rng.randint(1, 4),
                 "models": [m["id"] for m in self.models[cat["code"]] if m["prefix"] == prefix]}
            self.parts.setdefault(cat["code"], []).append(p)
            ops.append(put("parts", p["id"], sku=p["sku"], name=p["name"], category=p["category"],
                           unit_price=p["unit_price"], safety_stock=p["safety_stock"], models=p["models"],
                           active=True))
        return ops

    def fee_ops(self) -> list[dict]:
        d = self.v["deductions"]
        return [put("fee_rules", f"FR-{r['type']}-{r['category'] or 'ALL'}", type=r["type"],
                    category=r["category"] or None, visit_fee=r["visit_fee"], labour_fee=r["labour_fee"],
                    unsatisfied_deduction_pct=d["callback_unsatisfied_deduction_pct"],
                    repeat_repair_days=d["repeat_repair_days"],
                    repeat_repair_deduction_pct=d["repeat_repair_deduction_pct"], active=True)
                for r in self.v["fee_rules"]]

    def sla_ops(self) -> list[dict]:
        self.sla = {}
        ops = []
        for p in self.v["sla_policies"]:
            row = {"type": p["type"], "priority": p["priority"],
                   "accept_within_min": round(p["accept_within_h"] * 60),
                   "on_site_within_min": round(p["on_site_within_h"] * 60),
                   "complete_within_min": round(p["complete_within_h"] * 60), "active": True}
            self.sla[(p["type"], p["priority"])] = row
            ops.append(put("sla_policies", f"SLA-{p['type']}-{p['priority']}", **row))
        return ops

    def survey_ops(self) -> list[dict]:
        labels = self.v["order_types"] | {"maintenance": "保养"}
        return [put("survey_templates", f"SV-{t}", type=t, name=f"{labels.get(t, t)}回访问卷",
                    questions=qs, active=True) for t, qs in self.v["survey_templates"].items()]

    def kb_ops(self) -> list[dict]:
        combos = [(cat, fault, kind, prefix) for cat in vocab.categories() for fault in cat["faults"]
                  for kind in self.v["kb_kinds"] for prefix in cat["model_prefixes"]]
        self.rng.shuffle(combos)
        ops = []
        for cat, fault, kind, prefix in combos[:self.sizes.kb_articles]:
            series = prefix.rstrip("-")
            part = self.likely_part_name(cat, fault)
            ops.append(put("kb_articles", self.uid(), title=f"{series}系列{fault['text']}{kind['kind']}",
                           category=cat["code"], body=self.kb_body(cat, fault, kind["kind"], series, part),
                           tags=[cat["name"], kind["kind"], *([f"故障代码{fault['code']}"] if fault["code"] else []),
                                 *([part] if part else [])],
                           fault_codes=[fault["code"]] if fault["code"] else [],
                           models=[m["id"] for m in self.models[cat["code"]] if m["prefix"] == prefix],
                           audience=self.kb_audience(kind["audience"]),
                           updated_at=self.now - self.rng.randint(1, 400) * DAY_MS, active=True))
        return ops

    @staticmethod
    def kb_audience(audience: list[str]) -> list[str]:
        """The vocabulary's audience, and the outlet clerks wherever HQ's agents are in it:
        clerks take customers' calls at the outlet too (phoned-in orders) and need the
        same answers; the technicians' repair steps stay theirs."""
        return [*audience, "clerk"] if "hq_agent" in audience and "clerk" not in audience else list(audience)

    @staticmethod
    def likely_part_name(cat: dict, fault: dict) -> str | None:
        """The catalogue part the fault's cause names (传感器, 排水泵, …), if any."""
        for p in sorted(cat["parts"], key=lambda p: -len(p["name"])):
            core = p["name"].split("(")[0]
            if core in fault["cause"] or core[-3:] in fault["cause"] or core[-2:] in fault["cause"]:
                return p["name"]
        return None

    def kb_body(self, cat: dict, fault: dict, kind: str, series: str, part: str | None) -> str:
        code = f"（故障代码 {fault['code']}）" if fault["code"] else ""
        safety = "关闭燃气阀门并断开电源" if cat["code"] == "WH" else "断开电源"
        fix = f"更换{part}，并在工单中登记新旧配件条码" if part else "按原因逐项处理后复装紧固"
        if kind == "排查指引":
            steps = [f"核对机型（{series}系列）与购买日期，确认是否在{cat['warranty_months']}个月保修期内",
                     f"向用户确认故障现象：{fault['text']}{code}，询问出现时间与频率",
                     f"{safety}5分钟后重新上电，观察故障是否复现",
                     f"重点检查：{fault['cause']}",
                     f"确认故障点后{fix}",
                     "试机30分钟，确认运行正常后请用户在平板上签字"]
        elif kind == "维修步骤":
            steps = [f"{safety}，做好地面和家具防护",
                     "拆下面板或外壳，拍照记录接线位置",
                     f"检查{part or '相关部件'}：{fault['cause']}",
                     fix,
                     "按拍照记录复原接线，紧固螺丝，复装外壳",
                     "通电试机，向用户讲解日常保养要点，清理现场"]
        elif kind == "坐席答复口径":
            steps = [f"用户反映“{fault['text']}”时，先致歉并安抚情绪",
                     "核实用户手机号、地址、产品型号和购买日期",
                     f"可能原因（仅供坐席参考，勿向用户承诺）：{fault['cause']}",
                     f"引导用户{safety}后重新启动，观察是否恢复",
                     "仍未恢复的，登记维修工单并告知：服务网点将在2小时内联系预约上门",
                     f"在保修期（{cat['warranty_months']}个月）内的，告知配件和人工免费"]
        else:
            steps = [f"{safety}，等待5分钟后重新启动",
                     "检查电源插座、水源或燃气是否正常",
                     "清洁滤网、排水口等易堵塞部位",
                     f"如仍{fault['text'].replace('显示', '出现')}，请拨打服务热线报修，勿自行拆机"]
        lines = [f"【适用】{cat['name']} {series}系列", f"【现象】{fault['text']}{code}",
                 f"【原因】{fault['cause']}", "【步骤】"]
        lines += [f"{i}. {s}" for i, s in enumerate(steps, 1)]
        return "\n".join(lines)

    # ---- customers ----

    def customer_ops(self) -> list[dict]:
        self.customers_by_city: dict[str, list[dict]] = {}
        cities = [(c, 3 if c == r["cities"][0] else 1) for r in vocab.regions() for c in r["cities"]]
        levels, weights = zip(*self.v["member_levels"], strict=True)
        ops, phones = [], set()
        for _ in range(self.sizes.customers):
            city = self.rng.choices([c for c, _ in cities], [w for _, w in cities])[0]
            phone = self.mobile()
            while phone in phones:
                phone = self.mobile()
            phones.add(phone)
            c = {"id": self.uid(), "name": self.fake.name(), "phone": phone, "address": self.address(city),
                 "city": city, "member_level": self.rng.choices(levels, weights)[0] or None,
                 "created_at": self.now - self.rng.randint(self.sizes.days, 1200) * DAY_MS}
            self.customers_by_city.setdefault(city, []).append(c)
            ops.append(put("customers", c["id"], **{k: v for k, v in c.items() if k != "id"}))
        return ops

    # ---- orders and their history ----

    def created_times(self) -> list[int]:
        out = []
        for _ in range(self.sizes.orders):
            day = local_date(self.now - self.rng.randint(0, self.sizes.days - 1) * DAY_MS)
            t = ms_of(day) + self.rng.randint(8 * 60, 21 * 60) * MINUTE + self.rng.randint(0, 59_999)
            if t > self.now - 10 * MINUTE:  # today, later than now: earlier today
                t = max(ms_of(local_date(self.now)), self.now - self.rng.randint(10, 600) * MINUTE)
            out.append(t)
        return sorted(out)

    def order_ops(self) -> list[dict]:
        by_outlet = {}
        for o in self.outlets:
            for city in o["coverage"]:
                by_outlet.setdefault(city, []).append(o)
        cities = [c for c in self.customers_by_city]
        mix = self.v["order_mix"]
        events, parts = [], []
        for n, created in enumerate(self.created_times(), 1):
            city = self.rng.choice(cities)
            customer = self.rng.choice(self.customers_by_city[city])
            outlet = self.rng.choice(by_outlet[city])
            cat = vocab.category(self.rng.choice(outlet["qualifications"]))
            otype = self.rng.choices(list(mix), list(mix.values()))[0]
            model = self.rng.choice(self.models[cat["code"]])
            fault = self.rng.choice(cat["faults"]) if otype == OrderType.REPAIR else None
            priority = Priority.URGENT if otype == OrderType.REPAIR and self.rng.random() < 0.1 else Priority.NORMAL
            policy = self.sla.get((otype, str(priority))) or self.sla[(otype, "normal")]
            bought = created - (self.rng.randint(0, 6) if otype == OrderType.INSTALL
                                else self.rng.randint(30, 2500)) * DAY_MS
            order = {"id": self.uid(), "number": hq_number(n), "outlet_id": outlet["id"],
                     "customer_id": customer["id"], "type": str(otype), "product_model_id": model["id"],
                     "serial_no": f"{model['prefix'].rstrip('-').replace('-', '')}"
                                  f"{self.rng.randint(10**9, 10**10 - 1)}",
                     "purchase_date": local_date(bought).isoformat(),
                     "fault_description": (fault["text"] if fault
                                           else self.rng.choice(self.v["work"][otype][cat["code"]])),
                     "fault_code": vocab.fault_code(cat, fault) if fault else None, "priority": str(priority),
                     "contact_name": customer["name"], "contact_phone": customer["phone"],
                     "address": customer["address"], "source": HUB, "created_at": created,
                     "sla_accept_due": created + policy["accept_within_min"] * MINUTE,
                     "sla_on_site_due": created + policy["on_site_within_min"] * MINUTE,
                     "sla_complete_due": created + policy["complete_within_min"] * MINUTE}
            steps, end = self.timeline(order, policy, cat, fault)
            done = [s for s in steps if s["at"] <= self.now]
            order["status"] = done[-1]["to"] if done else str(Status.NEW)
            if end and end["at"] <= self.now:
                order.update(status=end["to"], closed_at=end["at"], closed_reason=end["reason"])
            if done:
                order["technician_id"] = done[0]["actor"]
            for s in done:
                if s["to"] == Status.COMPLETED:
                    order["_completed_at"] = s["at"]
                if s.get("appointment_at"):
                    order["appointment_at"] = s["appointment_at"]
                if s.get("part"):
                    self.stock_part(order, outlet, cat, model, s, parts)
                events.append(add("order_events", self.uid(), order_id=order["id"], to_status=s["to"],
                                  reason=s.get("reason"), at=s["at"], actor_id=s["actor"]))
            if order["status"] in (Status.COMPLETED, Status.CLOSED):
                order["resolution"] = self.resolution(otype, cat, fault, order.get("_part"))
            order.pop("_part", None)
            self.orders.append(order)
        # HQ's history changes a few orders' fields: repeat repairs, callback results
        self.story.shape(self.orders, {m["id"]: code for code, ms in self.models.items() for m in ms},
                         self.v["survey_templates"])
        orders = [put("service_orders", o["id"], **{k: v for k, v in o.items() if k != "id" and not k.startswith("_")})
                  for o in self.orders]
        return orders + events + parts

    def timeline(self, order: dict, policy: dict, cat: dict, fault: dict | None):
        """The order's life as it would go (outlet events, then HQ's close or cancel), to be
        cut at `now`. Every step is a legal transition from the one before."""
        rng, t = self.rng, order["created_at"]
        tech = rng.choice(self.techs[order["outlet_id"]])
        steps: list[dict] = []

        def step(to, after_min, **extra):
            nonlocal t
            t += max(1, int(after_min)) * MINUTE + rng.randint(0, 59_999)
            steps.append({"to": str(to), "at": t, "actor": tech, **extra})

        accept_budget = policy["accept_within_min"]
        late = rng.random() < 0.08
        accept_after = rng.uniform(1.1, 3) * accept_budget if late else rng.uniform(0.05, 0.9) * accept_budget
        fate = rng.random()
        if fate < 0.03:  # the outlet hands the order back
            if rng.random() < 0.5:
                step(Status.ACCEPTED, accept_after)
            step(Status.DECLINED, accept_after if not steps else rng.randint(20, 240),
                 reason=rng.choice(self.v["decline_reasons"]))
            return steps, self.hub_end(Status.CANCELLED, t + rng.randint(1, 2) * DAY_MS, "网点退单，客户改约其他服务商")
        step(Status.ACCEPTED, accept_after)
        on_site_due = order["sla_on_site_due"]

        def visit():
            nonlocal t
            step(Status.SCHEDULED, rng.randint(5, 90))
            late_visit = rng.random() < 0.1
            target = (on_site_due + rng.randint(1, 24) * HOUR) if late_visit else \
                t + rng.randint(1, max(2, (on_site_due - t) // HOUR)) * HOUR
            appointment = max(t + HOUR, target) // (30 * MINUTE) * (30 * MINUTE)
            steps[-1]["appointment_at"] = appointment
            t = max(t, appointment - rng.randint(20, 60) * MINUTE)
            step(Status.EN_ROUTE, 0)
            step(Status.ON_SITE, rng.randint(15, 70))

        visit()
        if fate < 0.07:  # cancelled by HQ somewhere along the way
            cut = rng.randint(1, len(steps))
            del steps[cut:]
            return steps, self.hub_end(Status.CANCELLED, steps[-1]["at"] + rng.randint(2, 48) * HOUR,
                                       rng.choice(self.v["cancel_reasons"]))
        part = self.rng.random() < (0.55 if fault else 0.1)
        if part and fate < 0.15:  # the part is not in the van: wait for it, come back
            step(Status.WAITING_PARTS, rng.randint(20, 60), reason="需更换配件，已申请调拨")
            t += rng.randint(1, 4) * DAY_MS
            on_site_due = t + 24 * HOUR
            visit()
        step(Status.COMPLETED, rng.randint(30, 150), part=part)
        return steps, self.hub_end(Status.CLOSED, t + rng.randint(20, 96) * HOUR, rng.choice(self.v["close_reasons"]))

    @staticmethod
    def hub_end(to: Status, at: int, reason: str) -> dict:
        return {"to": str(to), "at": at, "reason": reason}

    def stock_part(self, order, outlet, cat, model, step, out: list) -> None:
        """The part fitted on site (just before completion): order part + consume move."""
        fits = [p for p in self.parts.get(cat["code"], []) if model["id"] in p["models"]] or self.parts.get(cat["code"])
        if not fits:
            return
        fault_part = self.likely_part_name(cat, {"cause": order["fault_description"]})
        preferred = [p for p in fits if fault_part and p["base"] == fault_part]
        part = self.rng.choice(preferred or fits)
        at = step["at"] - self.rng.randint(5, 25) * MINUTE
        in_warranty = warranty_status(order["purchase_date"], model["warranty_months"], cat["code"],
                                      local_date(at)).state == IN
        line = self.uid()
        out.append(add("order_parts", line, order_id=order["id"], part_id=part["id"], qty=1,
                       old_serial=f"OLD{self.rng.randint(10**8, 10**9 - 1)}",
                       new_serial=f"NEW{self.rng.randint(10**8, 10**9 - 1)}", in_warranty=in_warranty, at=at))
        out.append(add("stock_moves", self.uid(), outlet_id=outlet["id"], part_id=part["id"], qty=-1,
                       kind=str(MoveKind.CONSUME), ref=order["id"], note=order["number"], at=at))
        key = (outlet["id"], part["id"])
        self.consumed[key] = self.consumed.get(key, 0) + 1
        order["_part"] = part["base"]

    def resolution(self, otype: str, cat: dict, fault: dict | None, part: str | None) -> str:
        options = self.v["resolutions"][otype]
        if otype == OrderType.REPAIR:
            options = options[:1] if part else options[1:]
        cause = (fault or {}).get("cause", "").split("或")[0]
        return self.rng.choice(options).format(part=part or "", cause_short=cause)

    # ---- stock ----

    def receipt_ops(self) -> list[dict]:
        """Opening stock before the first order: enough for what was used since, plus
        about the safety stock (some parts a little under it, so the clerk has something
        to request)."""
        start = self.now - (self.sizes.days + 1) * DAY_MS
        ops = []
        for o in self.outlets:
            for cat in o["qualifications"]:
                for p in self.parts.get(cat, []):
                    used = self.consumed.get((o["id"], p["id"]), 0)
                    if not used and self.rng.random() < 0.5:
                        continue
                    spare = self.rng.randint(0, max(0, p["safety_stock"] - 1)) if self.rng.random() < 0.15 \
                        else p["safety_stock"] + self.rng.randint(0, 6)
                    self.spare[(o["id"], p["id"])] = spare
                    if used + spare > 0:
                        ops.append(add("stock_moves", self.uid(), outlet_id=o["id"], part_id=p["id"],
                                       qty=used + spare, kind=str(MoveKind.RECEIPT), ref="期初库存",
                                       note="开账入库", at=start + self.rng.randint(0, 8) * HOUR))
        return ops

    def bag_ops(self) -> list[dict]:
        """What the technicians carry (shared/stock.py): yesterday the clerk issued each a
        few of the outlet's spare parts, one issue (two moves per part, one ref) each."""
        ops, at = [], self.now - DAY_MS
        for o in self.outlets:
            spare = sorted((pid, n) for (oid, pid), n in self.spare.items() if oid == o["id"] and n >= 2)
            for tech in self.techs[o["id"]]:
                ref, picked = pair_ref(tech, self.uid()), self.rng.sample(spare, min(3, len(spare)))
                for pid, _ in picked:
                    left = self.spare[(o["id"], pid)]
                    qty = min(left - 1, self.rng.randint(1, 2))
                    if qty <= 0:
                        continue
                    self.spare[(o["id"], pid)] = left - qty
                    fields = dict(outlet_id=o["id"], part_id=pid, kind=str(MoveKind.ISSUE), ref=ref,
                                  note="随车领料", at=at)
                    ops.append(add("stock_moves", self.uid(), qty=-qty, **fields))
                    ops.append(add("stock_moves", self.uid(), qty=qty, holder=tech, **fields))
        return ops


