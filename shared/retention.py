"""How long an outlet's nodes keep the personal data of its ended orders (issue #17: a stolen
outlet PC or tablet should hold as few customers as the work needs). HQ sets
`outlets.personal_data_days` per outlet; unset means DEFAULT_DAYS. A node blanks the
customer's name, phone and address on orders closed or cancelled longer ago than that, and
on customers it holds no newer order of (node/retention.py). HQ keeps everything."""
DEFAULT_DAYS = 180
MIN_DAYS = 30    # a node keeps what it pulled 30 days for a hub restore (sync/handback.py)
MAX_DAYS = 3650
DAY_MS = 24 * 3600 * 1000

ORDER_FIELDS = ("contact_name", "contact_phone", "address")  # service_orders
CUSTOMER_FIELDS = ("name", "phone", "address")               # customers


def days_of(value) -> int:
    """The outlet's setting as the nodes apply it (unset or out of range: the default)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and MIN_DAYS <= value <= MAX_DAYS \
        else DEFAULT_DAYS
