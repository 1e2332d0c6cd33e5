"""`fieldsync hub …`: set up and run the hub, and administer the network. The administration
commands call the same services as HQ's web UI (hub/admin.py `administering`), as the system
actor `cli`; a refusal prints its message (Chinese, then English) and exits with 2."""
import dataclasses
import functools
import json
import sys
from pathlib import Path

from hub import admin
from hub.home import HubHome
from shared.commands import command_group
from shared.errors import ServiceError
from shared.session_life import DEFAULT_IDLE_MINUTES, SessionLife, idle_minutes

REFUSED = 2  # the exit code of a refused command, as for the other errors `fieldsync` reports


def add_parser(sub) -> None:
    group = command_group(sub, "hub", "HQ hub: init, serve, outlets, enroll codes, nodes", "the hub's directory")

    def cmd(name: str, help_: str, fn):
        return group(name, help_, _refusals_told(fn))

    c = cmd("init", "create the store, hub key, TLS certificate and admin user", _init)
    c.add_argument("--name", action="append", default=[], help="extra host name or IP for the certificate")
    c.add_argument("--db", default=None, metavar="postgresql://…",
                   help="keep the hub's data in this (empty) PostgreSQL database instead of the SQLite file "
                        "hub.db (README: Moving to PostgreSQL); the URL is kept in the directory's private file "
                        "`database`")
    c = cmd("migrate", "move a stopped SQLite hub into PostgreSQL (run again: resumes; --undo: back to SQLite); "
            "docs/operations.md: Moving a hub to PostgreSQL", _migrate)
    c.add_argument("--to", default=None, metavar="postgresql://…", help="an empty PostgreSQL database")
    c.add_argument("--undo", action="store_true",
                   help="go back to the SQLite file (refused once the database has taken new work)")
    c = cmd("serve", "run the hub (HTTPS by default)", _serve)
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, default=8443)
    c.add_argument("--http", action="store_true", help="plain HTTP, for local development only")
    c.add_argument("--no-ui", action="store_true", help="serve only the sync and admin APIs (no HQ web UI, no jobs)")
    c.add_argument("--public-url", default=None,
                   help="the URL nodes and devices reach this hub at, written into the enrollment and device codes "
                        "it issues (default: the scheme, --host and --port)")
    c.add_argument("--metrics-port", type=int, default=None,
                   help="serve Prometheus metrics without a token on this port (plain HTTP, docs/operations.md)")
    c.add_argument("--metrics-host", default="127.0.0.1", help="the address of --metrics-port")
    c.add_argument("--idle-minutes", type=idle_minutes, default=None, metavar="MINUTES",
                   help=f"log an HQ web UI user out after this long without activity (default "
                        f"{DEFAULT_IDLE_MINUTES:g}; README: Sessions)")
    c.add_argument("--log-level", default="info", choices=("debug", "info", "warning"),
                   help="JSON log lines on stderr from this level (debug adds probes and HQ's web UI requests)")
    c = cmd("outlet-add", "add an outlet", _outlet_add)
    c.add_argument("--code", required=True)
    c.add_argument("--name", required=True)
    c.add_argument("--region", default="")
    c.add_argument("--city", default="")
    cmd("outlets", "list outlets", _outlets)
    c = cmd("enroll-code", "print an enrollment code (and its QR) for an outlet's new node", _enroll_code)
    c.add_argument("--outlet", required=True, help="outlet code")
    c.add_argument("--url", default="https://127.0.0.1:8443", help="the URL nodes reach the hub at")
    c.add_argument("--no-qr", action="store_true")
    cmd("nodes", "list enrolled nodes", _nodes)
    c = cmd("revoke", "revoke a node: its next request is refused", _revoke)
    c.add_argument("node_id")
    cmd("forks", "list open fork alerts (nodes restored from a copy)", _forks)
    c = cmd("fork-resolve", "mark a fork alert handled", _fork_resolve)
    c.add_argument("alert_id", type=int)
    cmd("retire-weak-pins", "remove every PIN of the old short rule (their users log in with a password until given a "
        "new one); the removal reaches every node", _retire_weak_pins)
    c = cmd("user-add", "add a user: HQ's (hq_agent, hq_approver, admin) or an outlet's (technician, clerk, "
            "outlet_manager, with --outlet); a generated password is printed once", _user_add)
    c.add_argument("--username", required=True)
    c.add_argument("--name", required=True, help="the name shown to others")
    c.add_argument("--role", required=True, help="technician, clerk, outlet_manager, hq_agent, hq_approver or admin")
    c.add_argument("--outlet", default=None, help="outlet code (outlet users only)")
    c.add_argument("--phone", default="")
    c.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input (else one is generated)")
    c.add_argument("--pin-stdin", action="store_true",
                   help="read an outlet user's PIN (6-12 digits) from the next line of standard input")
    c = cmd("users", "list users (never their password or PIN hashes)", _users)
    c.add_argument("--outlet", default=None, help="only this outlet's (code)")
    c.add_argument("--role", default=None)
    entities = ("customers", "outlets", "users", "product_models", "parts", "prices")
    c = cmd("import", "import customers, outlets, users, product models, parts or prices from a CSV or Excel (.xlsx) "
            "file: all rows or, with any bad row, none (README: Importing and exporting)", _import)
    c.add_argument("entity", choices=entities)
    c.add_argument("file", type=Path, help="a .csv or .xlsx file; its first row names the columns")
    c.add_argument("--dry-run", action="store_true", help="show what would change and every bad row; write nothing")
    c.add_argument("--lang", choices=("zh", "en"), default="zh", help="the language of the report")
    c = cmd("export", "export customers, outlets, users (no passwords), product models, parts or prices as CSV or "
            "Excel: the columns the import reads", _export)
    c.add_argument("entity", choices=entities)
    c.add_argument("--output", "-o", type=Path, default=None,
                   help="the file to write (.csv or .xlsx; default: CSV on standard output)")
    c.add_argument("--lang", choices=("zh", "en"), default="zh", help="the language of the column headers")
    c = cmd("restore-report", "after restoring the hub from a backup: what the nodes gave back, what is lost",
            _restore_report)
    c.add_argument("--lang", choices=("zh", "en"), default="zh")


def _refusals_told(fn):
    @functools.wraps(fn)
    def run(a) -> int:
        try:
            return fn(a)
        except ServiceError as refusal:
            print(f"fieldsync: {refusal.message('zh')} [{refusal.code}: {refusal.message('en')}]", file=sys.stderr)
            return REFUSED
    return run


def _init(a) -> int:
    password = admin.init_hub(HubHome(a.dir), a.name, database=a.db)
    home = HubHome(a.dir)
    print(f"hub created in {a.dir}")
    print(f"certificate sha256: {home.fingerprint()}")
    print(f"admin user: admin  password: {password}   (shown once; stored only as a scrypt hash)")
    return 0


def _migrate(a) -> int:
    from hub import move
    home = HubHome(a.dir)
    if a.undo:
        move.undo(home, say=print)
        return 0
    if not a.to:
        print("fieldsync: 请用 --to 指定目标数据库 [--to postgresql://… is required (or --undo)]", file=sys.stderr)
        return REFUSED
    moved = move.migrate(home, a.to, say=lambda line: print(line, flush=True))
    if moved.rows:
        print(f"moved {sum(moved.rows.values())} rows in {len(moved.rows)} tables and {moved.blobs} attachments")
    return 0


HTTP_GRACE_S = 5  # open requests and HQ's browser sessions (README: Stopping)
JOBS_GRACE_S = 5  # a running scheduled job


def _serve(a) -> int:
    """The hub until SIGTERM or Ctrl-C: then no new connections, open requests get
    HTTP_GRACE_S (a push already applying finishes its one transaction), running jobs
    JOBS_GRACE_S; a second signal cuts both short. Exit 0, the store closed."""
    from shared.stopping import StopSignals, Stopwatch, leave_now
    with StopSignals() as signals:  # first: a signal while the app's modules load is kept too
        from hub.app import create_app
        from shared import client_limits
        from shared import jsonlog
        from shared.serving import serve
        jsonlog.configure("hub", level=a.log_level.upper())
        home = HubHome(a.dir)
        with home.in_use():  # held until the hub stops: no move of it meanwhile
            hub = home.open()
            services = jobs = None
            public_url = a.public_url or f"{'http' if a.http else 'https'}://{a.host}:{a.port}"
            if not a.no_ui:
                from hub import jobs as hub_jobs
                from hub.services import HubServices
                services = HubServices(hub)
                services.admin.nodes.configure(public_url, None if a.http else home.fingerprint())
                from hub.leadership import leadership_for
                jobs = hub_jobs.start(services, leadership=leadership_for(hub))
            app = create_app(hub, home, services=services, public_url=public_url, jobs=jobs,
                             life=SessionLife.minutes(a.idle_minutes))
            metrics_server = None
            if a.metrics_port is not None:
                from hub.metrics import serve_separately
                metrics_server = serve_separately(app.state.metrics, a.metrics_host, a.metrics_port)
                print(f"metrics on http://{a.metrics_host}:{a.metrics_port}/metrics", flush=True)
            tls = {} if a.http else {"ssl_certfile": str(home.cert), "ssl_keyfile": str(home.tls_key)}
            scheme = "http" if a.http else "https"
            print(f"fieldsync hub {hub.hub_id} on {scheme}://{a.host}:{a.port}", flush=True)
            if services is not None:
                print(f"HQ web UI on {scheme}://{a.host}:{a.port}/hq/", flush=True)
            stopwatch = Stopwatch("hub")
            serve(app, host=a.host, port=a.port, grace=HTTP_GRACE_S, signals=signals, stopwatch=stopwatch, **tls,
                  **client_limits.uvicorn_options())
            stopwatch.begin(signals.name())
            if metrics_server is not None:
                metrics_server.shutdown()
            if jobs is not None and not jobs.stop(JOBS_GRACE_S, cut_short=lambda: signals.count > 1):
                stopwatch.end("a scheduled job still running was left behind (its open transaction rolls back)")
                leave_now(0)
            hub.close()
            stopwatch.end()
    return 0


def _outlet_add(a) -> int:
    with admin.administering(HubHome(a.dir)) as (adm, me):
        print(adm.network.save_outlet(me, code=a.code, name=a.name, region=a.region, city=a.city))
    return 0


def _outlets(a) -> int:
    with admin.administering(HubHome(a.dir)) as (adm, me):
        for o in adm.network.outlets(me):
            print(f"{o.code:8} {o.name}  {o.region} {o.city}  id={o.id}")
    return 0


def _enroll_code(a) -> int:
    with admin.administering(HubHome(a.dir)) as (adm, me):
        code = adm.nodes.enroll_code(me, url=a.url, outlet_code=a.outlet).code
    print(code)
    if not a.no_qr:
        import segno
        segno.make(code, error="l").terminal(compact=True)
    return 0


def _nodes(a) -> int:
    with admin.administering(HubHome(a.dir)) as (adm, me):
        for n in adm.nodes.nodes(me):
            print(f"{n.node_id}  outlet={n.outlet_code or n.outlet_id}  {n.letter}  {n.status}  "
                  f"epoch={n.epoch} seq={n.seq}  release={n.app_version or '?'} schema={n.schema or '?'}"
                  f"{'  BEHIND' if n.behind else ''}  {n.name}")
    return 0


def _revoke(a) -> int:
    with admin.administering(HubHome(a.dir)) as (adm, me):
        adm.nodes.revoke(me, a.node_id)
    print(f"revoked {a.node_id}")
    return 0


def _forks(a) -> int:
    with admin.administering(HubHome(a.dir)) as (adm, me):
        for f in adm.nodes.forks(me):
            print(json.dumps(dataclasses.asdict(f), ensure_ascii=False))
    return 0


def _restore_report(a) -> int:
    from hub.services.restore_report import restore_report
    store = HubHome(a.dir).open()
    try:
        print("\n".join(restore_report(store, a.lang).lines))
    finally:
        store.close()
    return 0


def _retire_weak_pins(a) -> int:
    with admin.administering(HubHome(a.dir)) as (adm, me):
        n = adm.network.retire_weak_pins(me)
    print(f"retired {n} PIN(s) of the old rule; those users log in with their password until given a new PIN")
    return 0


def _fork_resolve(a) -> int:
    with admin.administering(HubHome(a.dir)) as (adm, me):
        adm.nodes.resolve_fork(me, a.alert_id)
    print(f"fork alert {a.alert_id} resolved")
    return 0


def _import(a) -> int:
    """The dry run's report (or the import's counts) on stdout; every bad row on stderr,
    by line number, and exit 2 with nothing written."""
    from hub.services.import_report import report_lines
    data = a.file.read_bytes()
    with admin.acting(HubHome(a.dir)) as (services, me):
        plan = services.importing.plan(me, a.entity, data, a.file.name)
        for line in report_lines(plan, a.lang, rows=a.dry_run):
            print(line, file=sys.stderr if line.startswith("!") else sys.stdout)
        if plan.errors:
            return REFUSED
        if a.dry_run:
            return 0
        done = services.importing.apply(me, a.entity, data, a.file.name)
    word = {"zh": "已导入", "en": "imported"}[a.lang]
    print(f"{word}: " + "  ".join(f"{k}={v}" for k, v in done.counts.items()))
    for username, password in done.passwords:  # shown once, as `hub init` shows the admin's
        print(f"{username}  password: {password}")
    return 0


def _export(a) -> int:
    fmt = "xlsx" if a.output is not None and a.output.suffix.lower() == ".xlsx" else "csv"
    with admin.acting(HubHome(a.dir)) as (services, me):
        data = services.importing.export(me, a.entity, fmt, a.lang)
    if a.output is None:
        sys.stdout.buffer.write(data)
    else:
        a.output.write_bytes(data)
        print(f"{a.output}")
    return 0


def _secret(prompt: str) -> str:
    """A password or PIN from standard input (never an argument: no shell history, no ps)."""
    if sys.stdin.isatty():
        import getpass
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def _user_add(a) -> int:
    password = _secret("password: ") if a.password_stdin else None
    pin = _secret("PIN: ") if a.pin_stdin else None
    with admin.administering(HubHome(a.dir)) as (adm, me):
        outlet_id = adm.network.outlet_id_of(a.outlet) if a.outlet else None
        uid, generated = adm.network.create_user(me, username=a.username, display_name=a.name, role=a.role,
                                                 outlet_id=outlet_id, phone=a.phone, password=password, pin=pin)
    print(f"user {a.username} created  id={uid}")
    if generated:
        print(f"password: {generated}   (shown once; stored only as a scrypt hash)")
    return 0


def _users(a) -> int:
    with admin.administering(HubHome(a.dir)) as (adm, me):
        outlet_id = adm.network.outlet_id_of(a.outlet) if a.outlet else None
        for u in adm.network.users(me, outlet_id=outlet_id, role=a.role):
            print(f"{u.username:16} {u.role:15} {u.outlet_code or '-':8} {u.display_name}"
                  f"{'' if u.active else '  INACTIVE'}{'  PIN' if u.has_pin else ''}  id={u.id}")
    return 0
