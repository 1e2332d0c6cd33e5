"""Call intake and dispatch at HQ (受理与派单): what a caller asks for, the member levels a
customer may hold, how a phone number is looked up, and the words a dispatch suggestion
gives for each outlet it weighs (why it is suggested, or why it is left out)."""
from enum import StrEnum

from shared import phone
from shared.orders import OrderType


class RequestType(StrEnum):
    """What the caller wants; the customer's own words (维修/安装/咨询/投诉/赞誉)."""
    REPAIR = "repair"
    INSTALL = "install"
    CONSULT = "consult"
    COMPLAINT = "complaint"
    PRAISE = "praise"


# Requests that become a service order dispatched to an outlet, and the order's type.
ORDER_REQUESTS: dict[RequestType, OrderType] = {
    RequestType.REPAIR: OrderType.REPAIR,
    RequestType.INSTALL: OrderType.INSTALL,
}

# customers.member_level values (None: not a member), lowest first.
MEMBER_LEVELS = ("普通会员", "银卡会员", "金卡会员", "钻石会员")

# A lookup by the last digits of a number needs at least this many.
PHONE_TAIL_MIN = 4


def normal_phone(text: str | None) -> str:
    """A number as customers.phone stores it: digits only, without China's +86."""
    d = phone.digits(text)
    return d[2:] if len(d) == 13 and d.startswith("86") else d


class DispatchKind(StrEnum):
    DISPATCH = "dispatch"        # a new order's first outlet
    REDISPATCH = "redispatch"    # a declined order sent to another outlet
    TAKE_BACK = "take_back"      # an active order HQ took back from its outlet and sent to another


# Dispatch scoring: coverage points by how closely the outlet covers the address, plus up
# to LOAD_POINTS for free capacity (open orders against outlets.capacity).
COVER_DISTRICT, COVER_CITY, COVER_REGION = 60, 50, 15
LOAD_POINTS = 40
UNKNOWN_CAPACITY_POINTS = 20

# Why an outlet is suggested or left out: code -> (zh, en), {…} filled in by dispatch.
REASONS: dict[str, tuple[str, str]] = {
    "covers_district": ("服务范围覆盖{district}", "covers {district}"),
    "covers_city": ("服务范围覆盖{city}", "covers {city}"),
    "same_region": ("不覆盖{city}，但同属{region}（就近网点）", "does not cover {city} but is in {region} (nearby)"),
    "qualified": ("具备{category}维修资质", "qualified for {category}"),
    "load": ("当前在办{open}单 / 容量{capacity}单", "{open} open orders of a capacity of {capacity}"),
    "load_unknown": ("当前在办{open}单（未登记容量）", "{open} open orders (capacity not recorded)"),
    # left out
    "not_covered": ("不覆盖{city}，且不在同一大区", "does not cover {city} and is in another region"),
    "not_qualified": ("无{category}维修资质", "not qualified for {category}"),
    "full": ("已满负荷：在办{open}单 / 容量{capacity}单", "full: {open} open orders of a capacity of {capacity}"),
    "declined_before": ("该网点已退过此单", "this outlet declined the order"),
}


def reason(code: str, **params) -> tuple[str, str]:
    """(zh, en) of a dispatch reason; a (zh, en) tuple param fills each language."""
    zh, en = REASONS[code]
    return (zh.format(**{k: v[0] if isinstance(v, tuple) else v for k, v in params.items()}),
            en.format(**{k: v[1] if isinstance(v, tuple) else v for k, v in params.items()}))
