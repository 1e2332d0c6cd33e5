"""The node's readiness on its UI port (/readyz, shared/health.py): its store answers at
the schema this release knows, and its background sync is scheduled. Being offline is
not "not ready" — an outlet works for days without HQ — so reachability is only said."""
from shared.health import Check
from sync.health import store_checks


def node_checks(runtime) -> list[Check]:
    """`runtime`: node.runtime.NodeRuntime."""
    sync = runtime.sync
    st = sync.status
    said = f"last success at {st.last_success_at}" if st.last_success_at else "no successful round yet"
    if st.hub_reachable is False:
        said += "; HQ unreachable now"
    return [*store_checks(runtime.store), Check("sync", sync.scheduling(), said)]
