"""The hub's administration for the front ends without a login screen — `fieldsync hub …`,
the demo, test harnesses: setting up a hub directory, and acting on it as a named system
actor through the same administration services that HQ's web UI and the admin API call
(hub/services/admin_*.py), so every front end gets one validation and one audit row."""
from collections.abc import Iterator
from contextlib import contextmanager

from shared.errors import ServiceError
from shared.private_files import private_dir, write_private
from shared.passwords import generate_password, hash_password
from shared.roles import Role
from sync.keys import SigningKey
from sync.pg_hub_store import open_hub_store
from sync.pg_store import is_postgres_url

from hub.home import HubHome
from hub.services import HubServices, HubSession
from hub.services.administration import Administration
from shared.tls import make_self_signed


def init_hub(home: HubHome, names: list[str] | None = None, database: str | None = None) -> str:
    """Create the store, the hub key, a self-signed certificate and an admin user.
    `database`: a postgresql:// URL (an empty database) for a hub on PostgreSQL, kept in
    the directory's private file `database`; else the store is the SQLite file hub.db.
    Returns the admin's generated password (shown once, stored only as a scrypt hash)."""
    if home.exists():
        raise ServiceError.of("hub_exists", dir=str(home.dir))
    if database is not None and not is_postgres_url(database):
        raise ServiceError.of("hub_db_url")
    private_dir(home.dir)
    if database is not None:
        write_private(home.database, database.encode())
    home.make_private()
    key = SigningKey.generate()
    hub = open_hub_store(home.location, key=key)
    if hub.opened_at_version != 0:  # another hub's data: never adopt it under a new key
        hub.close()
        home.database.unlink()
        raise ServiceError.of("hub_db_in_use")
    key.save(home.key)
    make_self_signed(home.cert, home.tls_key, names)
    private_dir(home.blobs)
    password = generate_password()
    hub.write([{"op": "put", "table": "users", "id": "admin", "fields": {
        "username": "admin", "display_name": "系统管理员", "role": Role.ADMIN,
        "password_hash": hash_password(password), "active": True}}])
    hub.close()
    return password


@contextmanager
def administering(home: HubHome, actor: str = "cli") -> Iterator[tuple[Administration, HubSession]]:
    """The administration services over the hub in `home` and the session of the system
    actor `actor` (audited as `system:<actor>`); enrollment codes pin the hub's certificate."""
    with home.in_use():
        yield from _administering(home, actor)


def _administering(home: HubHome, actor: str) -> Iterator[tuple[Administration, HubSession]]:
    with _services(home, actor) as (services, session):
        yield services.admin, session


@contextmanager
def acting(home: HubHome, actor: str = "cli") -> Iterator[tuple[HubServices, HubSession]]:
    """All the hub's services (import and export need more than the administration) and
    the system actor's session, as `administering`."""
    with home.in_use(), _services(home, actor) as pair:
        yield pair


@contextmanager
def _services(home: HubHome, actor: str) -> Iterator[tuple[HubServices, HubSession]]:
    hub = home.open()
    try:
        services = HubServices(hub)
        services.admin.nodes.configure(cert_sha256=home.fingerprint())
        yield services, HubSession.of_system(actor)
    finally:
        hub.close()
