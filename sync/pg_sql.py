"""SQLite's dialect, spoken to PostgreSQL: the stores and services write one SQL (SQLite's),
and a PostgreSQL store runs each statement through `translate` (cached per statement text).
One dialect in the code keeps one set of queries to review and test; the rewrites are few
and mechanical, and every one is listed here:

- `?` → `%s` (psycopg's placeholder) and a literal `%` → `%%`; `[name]` → `"name"`;
  `BEGIN IMMEDIATE` → `BEGIN` (PgStore.tx takes the lock that makes it immediate).
- `INSERT OR IGNORE` → `INSERT … ON CONFLICT DO NOTHING`; `INSERT OR REPLACE` → `INSERT …
  ON CONFLICT (primary key) DO UPDATE SET` every other inserted column; an `ON CONFLICT DO
  UPDATE` without a target gets the table's primary key (PostgreSQL needs one).
- Functions: `group_concat(x[, sep])` → `string_agg(CAST(x AS TEXT), sep)`, `char` → `chr`,
  `ifnull` → `coalesce`, scalar `max(a, b…)`/`min(a, b…)` → `greatest`/`least`,
  `total(x)` → `coalesce(sum(x), 0)`, `substr(x, -n)` → `right(x, n)` (the phone-tail index
  and its query stay one expression), `instr` → `strpos`.
- `x IS [NOT] value` (not NULL) → `IS [NOT] DISTINCT FROM`; `LIKE` → `ILIKE` (SQLite's LIKE
  ignores ASCII case; with `COLLATE "C"` columns ILIKE folds ASCII only, as SQLite does);
  `alias.rowid` → `alias.ctid` (insertion order, the tie-break of the dispatch history).
- DDL: a column's type is the word after its name (a column may be called `text`):
  INTEGER → BIGINT (`id INTEGER PRIMARY KEY` → an identity column), TEXT or no type →
  `TEXT COLLATE "C"` (SQLite compares bytes: the same order, the same `<`), BLOB → BYTEA,
  REAL → DOUBLE PRECISION; `WITHOUT ROWID` dropped; `CREATE TRIGGER … BEGIN …; END` → a
  PL/pgSQL function plus `CREATE OR REPLACE TRIGGER … FOR EACH ROW`; an FTS5 virtual table →
  a table with a `rowid` identity, its columns and a `tsv tsvector` under a GIN index (the
  searching module writes `tsv` itself: shared/search.py `pg_tsvector`).

Statements that need none of these pass unchanged. What SQLite allows and PostgreSQL does
not (a boolean summed, an alias in HAVING, bare columns beside GROUP BY) is written the
portable way in the services instead: the tests run every service on both stores."""
import re
from collections.abc import Callable
from functools import lru_cache

_TOKEN = re.compile(r"""
    (?P<str>'(?:[^']|'')*')
  | (?P<qid>"(?:[^"]|"")*")
  | (?P<bid>\[[A-Za-z_][^\]]*\])
  | (?P<ws>\s+)
  | (?P<word>[A-Za-z_][A-Za-z_0-9$]*)
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<op><=|>=|!=|<>|\|\||::|[-+*/%(),.;=<>?])
  | (?P<other>.)
""", re.X | re.S)

PkOf = Callable[[str], list[str]]


class Tok:
    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str):
        self.kind, self.text = kind, text

    @property
    def up(self) -> str:
        return self.text.upper() if self.kind == "word" else self.text

    def __repr__(self):
        return f"{self.kind}:{self.text}"


def tokens(sql: str) -> list[Tok]:
    out = []
    for m in _TOKEN.finditer(sql):
        kind = m.lastgroup or "other"
        text = m.group()
        if kind == "bid":
            kind, text = "qid", '"' + text[1:-1].replace('"', '""') + '"'
        out.append(Tok(kind, text))
    return out


def _sig(toks: list[Tok]) -> list[int]:
    """Indexes of the tokens that are not whitespace."""
    return [i for i, t in enumerate(toks) if t.kind != "ws"]


def _join(toks: list[Tok]) -> str:
    return "".join(t.text for t in toks)


def _match_paren(toks: list[Tok], open_i: int) -> int:
    depth = 0
    for i in range(open_i, len(toks)):
        if toks[i].text == "(":
            depth += 1
        elif toks[i].text == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses")


def _split_args(toks: list[Tok]) -> list[list[Tok]]:
    """Top-level comma-separated pieces."""
    args: list[list[Tok]] = []
    cur: list[Tok] = []
    depth = 0
    for t in toks:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        if t.text == "," and depth == 0:
            args.append(cur)
            cur = []
        else:
            cur.append(t)
    args.append(cur)
    return args


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


@lru_cache(maxsize=4096)
def _translate_cached(sql: str, pk_of: PkOf | None) -> str:
    return _translate(sql, pk_of)


def translate(sql: str, pk_of: PkOf | None = None) -> str:
    """The PostgreSQL text of one SQLite statement (see the module's docstring)."""
    return _translate_cached(sql, pk_of)


def _translate(sql: str, pk_of: PkOf | None) -> str:
    head = sql.lstrip()[:40].upper()
    if head.startswith("CREATE TRIGGER"):
        return _trigger(sql, pk_of)
    if head.startswith("CREATE VIRTUAL TABLE"):
        return _virtual_table(sql)
    toks = tokens(sql)
    if head.startswith("CREATE TABLE"):
        toks = _create_table(toks)
    elif head.startswith("ALTER TABLE"):
        toks = _alter_table(toks)
    toks = _functions(toks)
    toks = _insert_or(toks, pk_of)
    return _words(toks)


def _words(toks: list[Tok]) -> str:
    sig = _sig(toks)
    for n, i in enumerate(sig):
        t = toks[i]
        prev = toks[sig[n - 1]] if n else None
        nxt = toks[sig[n + 1]] if n + 1 < len(sig) else None
        if t.kind == "op" and t.text == "?":
            t.text = "%s"
        elif t.kind == "op" and t.text == "%":
            t.text = "%%"
        elif t.kind == "str" and "%" in t.text:
            t.text = t.text.replace("%", "%%")
        elif t.kind == "word":
            u = t.up
            if u == "IMMEDIATE" and prev is not None and prev.up == "BEGIN":
                t.text = ""
            elif u == "LIKE":
                t.text = "ILIKE"
            elif u == "ROWID" and prev is not None and prev.text == ".":
                t.text = "ctid"
            elif u == "IS" and nxt is not None:
                negate = nxt.up == "NOT"
                value = toks[sig[n + 2]] if negate and n + 2 < len(sig) else nxt
                if value.up not in ("NULL", "DISTINCT", "TRUE", "FALSE", "NOT"):
                    if negate:
                        nxt.text = "DISTINCT FROM"
                    else:
                        t.text = "IS NOT DISTINCT FROM"
    return _join(toks)


# ---- functions ----

_SIMPLE = {"CHAR": "chr", "IFNULL": "coalesce", "INSTR": "strpos"}


def _functions(toks: list[Tok]) -> list[Tok]:
    i = 0
    out: list[Tok] = []
    while i < len(toks):
        t = toks[i]
        nxt = i + 1
        if t.kind == "word" and nxt < len(toks) and toks[nxt].text == "(":
            u = t.up
            if u in _SIMPLE:
                out.append(Tok("word", _SIMPLE[u]))
                i += 1
                continue
            if u in ("GROUP_CONCAT", "MAX", "MIN", "TOTAL", "SUBSTR"):
                close = _match_paren(toks, nxt)
                inner = _functions(toks[nxt + 1:close])
                args = _split_args(inner)
                rep = _function(u, args)
                if rep is not None:
                    out += tokens(rep)
                    i = close + 1
                    continue
                out.append(t)
                out.append(toks[nxt])
                out += inner
                out.append(toks[close])
                i = close + 1
                continue
        out.append(t)
        i += 1
    return out


def _function(name: str, args: list[list[Tok]]) -> str | None:
    text = [_join(a).strip() for a in args]
    if name == "GROUP_CONCAT":
        sep = text[1] if len(text) > 1 else "','"
        return f"string_agg(CAST({text[0]} AS TEXT), {sep})"
    if name in ("MAX", "MIN") and len(text) > 1:
        return f"{'greatest' if name == 'MAX' else 'least'}({', '.join(text)})"
    if name == "TOTAL":
        return f"coalesce(sum({text[0]}), 0)"
    if name == "SUBSTR" and len(text) == 2 and re.fullmatch(r"-\s*\d+", text[1]):
        return f"right({text[0]}, {text[1].lstrip('-').strip()})"
    return None


# ---- INSERT OR …, ON CONFLICT ----

def _insert_or(toks: list[Tok], pk_of: PkOf | None) -> list[Tok]:
    sig = _sig(toks)
    if len(sig) < 3:
        return toks
    words = [toks[i].up for i in sig]
    if "INSERT" not in words:
        return toks
    at = words.index("INSERT")
    mode = None
    if words[at + 1] == "OR":
        mode = words[at + 2]
        toks[sig[at + 1]].text = ""
        toks[sig[at + 2]].text = ""
    into = words.index("INTO", at)
    table = _unquote(toks[sig[into + 1]].text)
    cols: list[str] = []
    if toks[sig[into + 2]].text == "(":
        open_i = sig[into + 2]
        close = _match_paren(toks, open_i)
        cols = [_unquote(_join(a).strip()) for a in _split_args(toks[open_i + 1:close])]
    text = _join(toks)
    tail = ""
    m = re.search(r"\s+RETURNING\s.*$", text, re.I | re.S)
    if m:
        text, tail = text[:m.start()], m.group()
    text = text.rstrip().rstrip(";")
    if mode == "IGNORE":
        text += " ON CONFLICT DO NOTHING"
    elif mode == "REPLACE":
        key = pk_of(table) if pk_of else []
        if not key:
            raise ValueError(f"INSERT OR REPLACE into {table}: no primary key known")
        rest = [c for c in cols if c not in key]
        sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in rest)
        text += f" ON CONFLICT ({', '.join(key)}) " + (f"DO UPDATE SET {sets}" if sets else "DO NOTHING")
    else:
        m2 = re.search(r"ON\s+CONFLICT\s+DO\s+UPDATE", text, re.I)
        if m2:
            key = pk_of(table) if pk_of else []
            text = text[:m2.start()] + f"ON CONFLICT ({', '.join(key)}) DO UPDATE" + text[m2.end():]
    return tokens(text + tail)


# ---- DDL ----

_TYPES = {"INTEGER": "BIGINT", "INT": "BIGINT", "TEXT": 'TEXT COLLATE "C"', "BLOB": "BYTEA",
          "REAL": "DOUBLE PRECISION", "NUMERIC": "NUMERIC"}
_CONSTRAINTS = {"PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "CONSTRAINT"}


def _column_defs(defs: list[list[Tok]]) -> list[str]:
    out = []
    for d in defs:
        text = _join(d).strip()
        sig = [t for t in d if t.kind != "ws"]
        if not sig or sig[0].up in _CONSTRAINTS:
            out.append(text)
            continue
        name = sig[0].text
        rest = sig[1:]
        typ = rest[0].up if rest and rest[0].kind == "word" and rest[0].up in _TYPES else None
        after = _join(_after_first(d, 2 if typ else 1)).strip()
        if typ == "INTEGER" and re.match(r"PRIMARY\s+KEY", after, re.I):
            out.append(f"{name} BIGINT GENERATED BY DEFAULT AS IDENTITY {after}")
        else:
            out.append(f"{name} {_TYPES[typ] if typ else _TYPES['TEXT']} {after}".rstrip())
    return out


def _after_first(d: list[Tok], n: int) -> list[Tok]:
    seen = 0
    for i, t in enumerate(d):
        if t.kind != "ws":
            seen += 1
            if seen == n:
                return d[i + 1:]
    return []


def _create_table(toks: list[Tok]) -> list[Tok]:
    open_i = next(i for i, t in enumerate(toks) if t.text == "(")
    close = _match_paren(toks, open_i)
    defs = _column_defs(_split_args(toks[open_i + 1:close]))
    tail = re.sub(r"WITHOUT\s+ROWID", "", _join(toks[close + 1:]), flags=re.I)
    return tokens(_join(toks[:open_i]) + "(" + ", ".join(defs) + ")" + tail)


def _alter_table(toks: list[Tok]) -> list[Tok]:
    text = _join(toks)
    m = re.match(r"(\s*ALTER\s+TABLE\s+\S+\s+ADD\s+COLUMN\s+)(.*)$", text, re.I | re.S)
    if not m:
        return toks
    return tokens(m.group(1) + _column_defs([tokens(m.group(2))])[0])


_TRIGGER = re.compile(r"""\s*CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>\S+)\s+
    (?P<when>AFTER|BEFORE)\s+(?P<event>INSERT|DELETE|UPDATE(?:\s+OF\s+.*?)?)\s+ON\s+(?P<table>\S+)\s+
    (?:FOR\s+EACH\s+ROW\s+)?BEGIN\s+(?P<body>.*)\bEND\s*;?\s*$""", re.I | re.S | re.X)


def _trigger(sql: str, pk_of: PkOf | None) -> str:
    """A SQLite trigger as a PL/pgSQL function and a row trigger calling it."""
    m = _TRIGGER.match(sql)
    if m is None:
        raise ValueError(f"cannot translate trigger: {sql[:80]}")
    name, table = _unquote(m["name"]), m["table"]
    body = [s.strip() for s in m["body"].split(";") if s.strip()]
    stmts = "; ".join(translate(s, pk_of).replace("%s", "?").replace("%%", "%") for s in body)
    event = re.sub(r"\s+", " ", m["event"].strip())
    return (f"CREATE OR REPLACE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS $fn$ "
            f"BEGIN {stmts}; RETURN NULL; END $fn$; "
            f"CREATE OR REPLACE TRIGGER {name} {m['when']} {event} ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION {name}_fn()")


_VIRTUAL = re.compile(r"\s*CREATE\s+VIRTUAL\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<name>\S+)\s+USING\s+fts5\s*"
                      r"\((?P<cols>.*)\)\s*$", re.I | re.S)


def _virtual_table(sql: str) -> str:
    m = _VIRTUAL.match(sql)
    if m is None:
        raise ValueError(f"cannot translate virtual table: {sql[:80]}")
    name = m["name"]
    cols = [c.strip() for c in m["cols"].split(",") if c.strip() and "=" not in c]
    defs = ", ".join(f'{c} TEXT COLLATE "C"' for c in cols)
    return (f"CREATE TABLE IF NOT EXISTS {name} (rowid BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
            f"{defs}, tsv TSVECTOR); CREATE INDEX IF NOT EXISTS ix_{name}_tsv ON {name} USING GIN (tsv)")
