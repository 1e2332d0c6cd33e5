"""Merge rules, the same on the hub and on every node: record fields are last-writer-wins
by (hlc, src) per field; ledger rows only grow and an id never changes meaning."""
import json

from shared.tables import TableSpec, check_value
from sync.schema import from_cell, to_cell
from sync.store import dict_row

Clock = tuple[int, str]


class Row(dict):
    """A stored row: decoded column values plus its clocks (`clk` for records)."""

    def __init__(self, spec: TableSpec, values: dict, clk: dict | None):
        super().__init__(values)
        self.spec = spec
        self.clk = clk or {}

    def clock(self, column: str) -> Clock:
        c = self.clk.get(column)
        return (c[0], c[1]) if c else (-1, "")


def load(conn, spec: TableSpec, row_id: str) -> Row | None:
    cells = dict_row(conn.execute(f"SELECT * FROM [{spec.name}] WHERE id = ?", (row_id,)))
    if cells is None:
        return None
    values = {c: from_cell(t, cells.get(c)) for c, t in spec.columns.items()}
    if spec.is_record:
        return Row(spec, values, json.loads(cells["_clk"]))
    return Row(spec, values, {"": [cells["_hlc"], cells["_src"]]})


def load_held(conn, spec: TableSpec, row_id: str) -> Row:
    """A row the caller knows is there (just written, or listed by this transaction)."""
    row = load(conn, spec, row_id)
    if row is None:
        raise LookupError(f"{spec.name} {row_id} vanished inside its transaction")
    return row


def lww_winners(row: Row | None, fields: dict, clock: Clock) -> dict:
    """The fields of a put whose clock beats the stored one."""
    if row is None:
        return dict(fields)
    return {f: v for f, v in fields.items() if clock > row.clock(f)}


def write_fields(conn, spec: TableSpec, row_id: str, row: Row | None, fields: dict,
                 clocks: dict[str, Clock]) -> Row | None:
    """Store fields with their clocks, inserting the row when it is new. Returns the row as
    `load` would now read it (None when nothing was written or, for an inserted row, when
    a value's stored form cannot be told without reading it back)."""
    if not fields:
        return row
    cols = spec.columns
    clk = dict(row.clk) if row is not None else {}
    for f in fields:
        clk[f] = list(clocks[f])
    clk_text = json.dumps(clk, separators=(",", ":"))
    names = list(fields)
    cells = [to_cell(cols[f], fields[f]) for f in names]
    if row is None:
        sql = (f"INSERT INTO [{spec.name}] (id, {', '.join(f'[{n}]' for n in names)}, _clk) "
               f"VALUES (?, {', '.join('?' * len(names))}, ?)")
        conn.execute(sql, (row_id, *cells, clk_text))
        return _inserted(spec, row_id, fields, cells, clk)
    else:
        sets = ", ".join(f"[{n}] = ?" for n in names)
        conn.execute(f"UPDATE [{spec.name}] SET {sets}, _clk = ? WHERE id = ?",
                     (*cells, clk_text, row_id))
    if row is not None:
        row.update(fields)
        row.clk = clk
    return row


def _inserted(spec: TableSpec, row_id: str, fields: dict, cells: list, clk: dict) -> Row | None:
    """The row just inserted, as `load` would read it: unwritten columns are NULL, and each
    written value comes back as from_cell(to_cell(value)) when it fits its column (a value
    that does not, which only the trusted hub.write could pass, is read back instead)."""
    if not isinstance(row_id, str):
        return None
    values = dict.fromkeys(spec.columns)
    values["id"] = row_id
    for (f, value), cell in zip(fields.items(), cells, strict=True):
        kind = spec.columns[f]
        if not check_value(kind, value):
            return None
        values[f] = from_cell(kind, cell)
    return Row(spec, values, clk)


def put(conn, spec: TableSpec, row_id: str, fields: dict, clock: Clock,
        row: Row | None = None, force: bool = False) -> dict:
    """Apply a put under LWW (or unconditionally when `force`); returns what was written."""
    if row is None:
        row = load(conn, spec, row_id)
    won = dict(fields) if force else lww_winners(row, fields, clock)
    write_fields(conn, spec, row_id, row, won, {f: clock for f in won})
    return won


def same_ledger_row(row: Row, fields: dict) -> bool:
    """An add re-sent with the same id and fields is a no-op."""
    cols = row.spec.columns
    return all(row.get(c) == fields.get(c) for c in cols if c != "id")


def add(conn, spec: TableSpec, row_id: str, fields: dict, clock: Clock) -> None:
    names = list(fields)
    cells = [to_cell(spec.columns[f], fields[f]) for f in names]
    cols = "".join(f", [{n}]" for n in names)
    conn.execute(f"INSERT INTO [{spec.name}] (id{cols}, _hlc, _src) "
                 f"VALUES (?{', ?' * len(names)}, ?, ?)", (row_id, *cells, clock[0], clock[1]))


def replace_ledger(conn, spec: TableSpec, row_id: str, fields: dict, clock: Clock) -> None:
    """The hub's version of a ledger row wins over a local one that it refused."""
    conn.execute(f"DELETE FROM [{spec.name}] WHERE id = ?", (row_id,))
    add(conn, spec, row_id, fields, clock)
