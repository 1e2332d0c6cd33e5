"""`fieldsync demo`: the whole system on one machine, with demo data.

Live (the default, what `make demo` runs, fieldsync.demo.served): a hub and two outlet nodes
as processes. Headless (`--headless --days N`, fieldsync.demo.headless): a scripted run
in-process that ends with a convergence check (exit 1 if a node differs from the hub).
The demo's modules (and Faker, a dependency of the demo only) load when it runs."""
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("demo", help="run the demo: hub + two outlet nodes with demo data (or a headless scripted run)",
                       description="Run the demo: a hub with demo data and two outlet nodes, or with --headless "
                                   "a scripted run of N working days that ends with a convergence check.")
    p.add_argument("--dir", required=True, type=Path,
                   help="the demo's directory (created if missing, reused if present)")
    p.add_argument("--headless", action="store_true",
                   help="no servers: simulate the days in-process and check convergence")
    p.add_argument("--days", type=int, default=3, help="working days to simulate (headless)")
    p.add_argument("--seed", type=int, default=6, help="seed of the demo data and the simulation")
    p.add_argument("--hub-port", type=int, default=8443, help="the hub's HTTPS port (nodes remember it)")
    p.add_argument("--node-port", type=int, default=8601, help="the first node's UI port (the second gets the next)")
    p.set_defaults(fn=_demo)


def _demo(a) -> int:
    if a.headless:
        from fieldsync.demo.headless import run_headless  # the demo's modules load when it runs
        if a.days < 1:
            raise ValueError("--days must be at least 1")
        summary = run_headless(a.dir / "headless", days=a.days, seed=a.seed)
        print("\n".join(summary.lines()), flush=True)
        return 0 if summary.converged else 1
    from shared.stopping import StopSignals
    with StopSignals() as signals:  # before the demo's modules load (a second or so): a signal then is kept
        from fieldsync.demo.served import run_live
        return run_live(a.dir, signals, seed=a.seed, hub_port=a.hub_port, node_ports=(a.node_port, a.node_port + 1))
