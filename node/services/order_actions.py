"""What a technician or clerk does to an order. Status steps are `order_events` (commands
the hub validates against the state machine; the node shows the new status at once) and
follow shared/orders.py on the outlet's side; the fields that go with a step (appointment,
resolution) are written in the same change, so HQ never sees one without the other."""
import uuid
from dataclasses import dataclass

from shared import phone, roles
from shared.labels import in_sentence, pair
from shared.orders import OUTLET, TERMINAL, OrderType, Priority, Status, can_transition
from shared.periods import local_date
from shared.roles import Role
from shared.warranty import parse_date

from node.services import guards
from node.services.attachments import Attachments
from node.services.customers import Customers
from node.services.errors import ServiceError
from node.services.order_rows import check_technician, finished, own_order
from node.services.session import Session

# Details a technician records on site (the fields shared/roles.py lets them write).
DETAIL_FIELDS = ("fault_description", "fault_code", "serial_no", "purchase_date", "product_model_id", "notes")


@dataclass(frozen=True, slots=True)
class CreatedOrder:
    id: str
    number: str


def _put(order_id: str, **fields) -> dict:
    return {"op": "put", "table": "service_orders", "id": order_id, "fields": fields}


def _required(value, field: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else value
    if not text:
        raise ServiceError.on_field("required", field)
    return text


class OrderActions:
    def __init__(self, ctx, attachments: Attachments):
        self.ctx = ctx
        self.attachments = attachments

    # ---- status steps ----

    def accept(self, session: Session, order_id: str) -> None:
        """A technician who accepts an order nobody works yet takes it (in the same change,
        so HQ's reports and settlements know whose it is)."""
        order = own_order(self.ctx, order_id)
        self._check_step(session, order, Status.ACCEPTED)
        claim = []
        if not order.get("technician_id") and roles.may_claim(session.role, "service_orders", "technician_id",
                                                             session.user_id, session.user_id, None):
            claim = [_put(order["id"], technician_id=session.user_id)]
        self._step(session, order, Status.ACCEPTED, before=claim)

    def decline(self, session: Session, order_id: str, reason: str) -> None:
        """Hand the order back to HQ for re-dispatch; HQ needs to know why."""
        order = own_order(self.ctx, order_id)
        self._check_step(session, order, Status.DECLINED)
        self._step(session, order, Status.DECLINED, reason=_required(reason, "reason"))

    def schedule(self, session: Session, order_id: str, appointment_at: int) -> None:
        """Set the appointment: accepted (or parts arrived) → scheduled; on a scheduled
        order it only moves the appointment."""
        order = own_order(self.ctx, order_id)
        if not isinstance(appointment_at, int) or isinstance(appointment_at, bool) or appointment_at <= 0:
            raise ServiceError.on_field("bad_time", "appointment_at")
        put = _put(order["id"], appointment_at=appointment_at)
        if order["display_status"] == Status.SCHEDULED:
            check_technician(self.ctx, session, order)
            guards.require_put(session, "service_orders", ["appointment_at"], False, "scheduled")
            self.ctx.write(session, [put])
            return
        self._check_step(session, order, Status.SCHEDULED)
        guards.require_put(session, "service_orders", ["appointment_at"], False, "scheduled")
        self._step(session, order, Status.SCHEDULED, before=[put])

    def set_out(self, session: Session, order_id: str) -> None:
        self._step(session, own_order(self.ctx, order_id), Status.EN_ROUTE)

    def arrive(self, session: Session, order_id: str) -> None:
        self._step(session, own_order(self.ctx, order_id), Status.ON_SITE)

    def wait_for_parts(self, session: Session, order_id: str, reason: str = "") -> None:
        """The SLA clock pauses until the order is scheduled again."""
        self._step(session, own_order(self.ctx, order_id), Status.WAITING_PARTS, reason=(reason or "").strip() or None)

    def complete(self, session: Session, order_id: str, resolution: str, *,
                 signature: bytes | None = None, photos: list = (),
                 signature_mime: str = "image/png", photo_mime: str = "image/jpeg") -> None:
        """Finish on site: the resolution, the customer's signature and photos, and the
        step to completed, in one change. A photo is its bytes (of `photo_mime`) or a
        (bytes, mime) pair."""
        order = own_order(self.ctx, order_id)
        self._check_step(session, order, Status.COMPLETED)
        text = _required(resolution, "resolution")
        guards.require_put(session, "service_orders", ["resolution"], False, "completed")
        files = [(*(p if isinstance(p, tuple) else (p, photo_mime)), "photo") for p in photos]
        if signature is not None:
            files.append((signature, signature_mime, "signature"))
        for data, mime, kind in files:  # all of them before the first is queued
            self.attachments.check(session, order, data, kind, mime)
        before = [_put(order["id"], resolution=text)]
        before += [self.attachments.op(session, order, data, kind, mime) for data, mime, kind in files]
        self._step(session, order, Status.COMPLETED, before=before)

    def _check_step(self, session: Session, order: dict, to: Status) -> None:
        guards.require_add(session, "order_events", str(to))
        check_technician(self.ctx, session, order)
        current = order["display_status"]
        if current == Status.CANCELLED:
            raise finished(order, str(to))
        if not can_transition(current, to, OUTLET):
            raise ServiceError.of("illegal_transition", status=in_sentence("status", current),
                                  action=pair("action", str(to)))

    def _step(self, session: Session, order: dict, to: Status, *, reason: str | None = None,
              before: list[dict] = ()) -> None:
        self._check_step(session, order, to)  # again: cheap, and no caller can forget it
        event = {"op": "add", "table": "order_events", "id": str(uuid.uuid4()), "fields": {
            "order_id": order["id"], "to_status": str(to), "reason": reason, "at": self.ctx.now(),
            "actor_id": session.user_id}}
        self.ctx.write(session, [*before, event])

    # ---- the office's work on orders ----

    def assign(self, session: Session, order_id: str, technician_id: str) -> None:
        order = own_order(self.ctx, order_id)
        guards.require_put(session, "service_orders", ["technician_id"], False, "assign")
        self._not_finished(order, "assign")
        self._technician(technician_id)
        self.ctx.write(session, [_put(order["id"], technician_id=technician_id)])

    def update_details(self, session: Session, order_id: str, **fields) -> None:
        """What the technician finds on site: fault, fault code, serial number, purchase
        date, model, notes."""
        order = own_order(self.ctx, order_id)
        unknown = set(fields) - set(DETAIL_FIELDS)
        if unknown:
            raise TypeError(f"not an order detail: {sorted(unknown)}")
        guards.require_put(session, "service_orders", list(fields), False, "edit_order")
        check_technician(self.ctx, session, order)
        self._not_finished(order, "edit_order", allow_completed=True)
        if fields:  # an emptied field is cleared
            self.ctx.write(session, [_put(order["id"], **self._clean(fields, keep_empty=True))])

    def create(self, session: Session, *, contact_name: str, contact_phone: str, address: str,
               fault_description: str, type: str = OrderType.REPAIR, priority: str = Priority.NORMAL,
               product_model_id: str | None = None, serial_no: str | None = None,
               purchase_date: str | None = None, fault_code: str | None = None,
               technician_id: str | None = None, notes: str | None = None,
               customer_id: str | None = None) -> CreatedOrder:
        """An order the customer phoned in to the outlet. It enters as accepted: HQ sets
        that status when it receives the order; until then the node shows it as such.
        `customer_id`: an existing customer of the outlet (Customers.by_phone) the order
        names; then the contact fields are optional (the customer's show where they are
        left empty), else the caller's name, phone and address are required."""
        if type not in set(OrderType):
            raise ServiceError.on_field("bad_choice", "type")
        if priority not in set(Priority):
            raise ServiceError.on_field("bad_choice", "priority")
        contact = {"contact_name": contact_name, "contact_phone": contact_phone, "address": address}
        if customer_id:
            if Customers(self.ctx).get(customer_id) is None:
                raise ServiceError.on_field("bad_choice", "customer_id")
            contact = {k: v.strip() for k, v in contact.items() if isinstance(v, str) and v.strip()}
            contact["customer_id"] = customer_id
        else:
            contact = {k: _required(v, k) for k, v in contact.items()}
        fields = {
            **contact,
            "fault_description": _required(fault_description, "fault_description"),
            "type": str(type), "priority": str(priority), "source": OUTLET,
            **self._clean({"product_model_id": product_model_id, "serial_no": serial_no,
                           "purchase_date": purchase_date, "fault_code": fault_code, "notes": notes}),
        }
        if "contact_phone" in fields and not phone.plausible(fields["contact_phone"]):
            raise ServiceError.of("bad_phone", field="contact_phone")
        if technician_id:
            self._technician(technician_id)
            fields["technician_id"] = technician_id
        guards.require_put(session, "service_orders", [*fields, "number", "outlet_id", "created_at"],
                           True, "create_order")
        self.ctx.current_user(session)
        order_id = str(uuid.uuid4())
        store = self.ctx.store
        with store.tx():
            number = store.mint_number()
            self.ctx.write(session, [_put(order_id, number=number, outlet_id=self.ctx.outlet_id,
                                          created_at=self.ctx.now(), **fields)])
        return CreatedOrder(order_id, number)

    # ---- checks ----

    def _not_finished(self, order: dict, action: str, allow_completed: bool = False) -> None:
        done = set(TERMINAL) | {Status.DECLINED} | (set() if allow_completed else {Status.COMPLETED})
        if order["display_status"] in done:
            raise finished(order, action)

    def _technician(self, user_id: str) -> None:
        tech = self.ctx.user(user_id)
        if not tech or tech.get("role") != Role.TECHNICIAN or not tech.get("active") \
                or tech.get("outlet_id") != self.ctx.outlet_id:
            raise ServiceError.of("technician_invalid", field="technician_id")

    def _clean(self, fields: dict, keep_empty: bool = False) -> dict:
        """Empty optional fields dropped (or, `keep_empty`, written as null to clear
        them); the ones that have a shape checked."""
        out = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
        out = {k: (None if v == "" else v) for k, v in out.items() if keep_empty or v not in (None, "")}
        if out.get("purchase_date"):
            d = parse_date(out["purchase_date"])
            if d is None or d > local_date(self.ctx.now()) or len(out["purchase_date"]) != 10:
                raise ServiceError.on_field("bad_date", "purchase_date")
            out["purchase_date"] = d.isoformat()
        if out.get("product_model_id") and self.ctx.one(
                "SELECT id FROM product_models WHERE id = ?", (out["product_model_id"],)) is None:
            raise ServiceError.on_field("bad_choice", "product_model_id")
        return out
