"""What only this device needs to remember, in the node-local `_audit` table: who revealed
a customer's full phone number and when, and failed logins (for the lockout).

Not replicated on purpose: order_events are status commands that the hub validates
against the state machine, so a reveal cannot be one, and a new replicated table is a
protocol change. HQ sees reveals only on the device itself until an audit ledger exists."""
import json

REVEAL_PHONE = "reveal_phone"
LOGIN_OK = "login_ok"
LOGIN_FAILED = "login_failed"


def record(ctx, action: str, *, user_id: str | None = None, table: str | None = None,
           row_id: str | None = None, detail=None) -> None:
    text = detail if isinstance(detail, str) or detail is None else json.dumps(detail, ensure_ascii=False)
    with ctx.store.tx() as c:
        c.execute("INSERT INTO _audit (at, user_id, action, table_name, row_id, detail) VALUES (?,?,?,?,?,?)",
                  (ctx.now(), user_id, action, table, row_id, text))
