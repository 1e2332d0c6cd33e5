"""What a login may store: the typed username goes into the failed-login audit (it drives the
lock-out), so a name is bounded before anything is read or written — a 2 MiB name once grew
node.db by 17 MB in 1.5 s. The secret is bounded too: nobody types 256 characters."""
from shared.errors import ServiceError

MAX_USERNAME = 64
MAX_SECRET = 256


def login_name(username: str | None, secret: str | None) -> str:
    """The username as it is looked up and audited (stripped), refused when either field is
    longer than anybody's; nothing is stored for a refused attempt."""
    name = (username or "").strip()
    if len(name) > MAX_USERNAME or (isinstance(secret, str) and len(secret) > MAX_SECRET):
        raise ServiceError.of("login_too_long", max=MAX_USERNAME)
    return name
