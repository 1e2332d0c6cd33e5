"""What only this device needs to remember, in the node-local `_audit` table: logins and
failed logins (for the lockout). Phone reveals are for HQ's audit too: they are the
replicated `order_audit` ledger (shared/audit.py), written by OrderDetails.reveal_phone;
a node before store version 3 kept them here ("reveal_phone" rows), where they stay."""
import json

LOGIN_OK = "login_ok"
LOGIN_FAILED = "login_failed"


def record(ctx, action: str, *, user_id: str | None = None, table: str | None = None,
           row_id: str | None = None, detail=None) -> None:
    text = detail if isinstance(detail, str) or detail is None else json.dumps(detail, ensure_ascii=False)
    with ctx.store.tx() as c:
        c.execute("INSERT INTO _audit (at, user_id, action, table_name, row_id, detail) VALUES (?,?,?,?,?,?)",
                  (ctx.now(), user_id, action, table, row_id, text))
