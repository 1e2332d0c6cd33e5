"""A dry run (hub/services/importing.py `Plan`) in words, line by line, in zh or en: the
counts, then each new or changed row with what changes (old → new), then every bad row.
The CLI prints these lines; HQ's import screen shows the same words in a table."""
from shared.labels import LABELS, label

from hub.services.importing import Plan, PlannedRow

WORDS = {
    "zh": {"counts": "新增 {new} 行，修改 {changed} 行，不变 {unchanged} 行；错误 {errors} 行",
           "none": "（文件有错误，没有导入任何数据）", "row": "第{line}行 {status} {key}：{changes}"},
    "en": {"counts": "{new} new, {changed} changed, {unchanged} unchanged; {errors} with errors",
           "none": "(the file has errors: nothing was imported)", "row": "line {line} {status} {key}: {changes}"},
}


def shown_in(column: str, value: str, lang: str) -> str:
    """A planned value (as the file spells it, in Chinese) in `lang`: yes/no and role
    names in English on an English screen; anything else as in the file."""
    if lang != "en" or not value:
        return value
    if column == "active":
        return label("yes_no", value, lang)
    if column == "role":
        return next((en for zh, en in LABELS["role"].values() if zh == value), value)
    return value


def changes_text(row: PlannedRow, lang: str) -> str:
    sep = "，" if lang != "en" else ", "
    out = []
    for c in row.changes:
        name, new = label("import_column", c.column, lang), shown_in(c.column, c.new, lang)
        out.append(f"{name} {shown_in(c.column, c.old, lang)} → {new}" if c.old else f"{name} {new}")
    return sep.join(out)


def summary(plan: Plan, lang: str) -> str:
    return WORDS[lang]["counts"].format(**plan.counts, errors=len(plan.errors))


def report_lines(plan: Plan, lang: str, *, rows: bool = True) -> list[str]:
    """Lines starting with "!" are bad rows (the CLI prints them on stderr)."""
    w = WORDS[lang]
    out = [summary(plan, lang)]
    if rows:
        out += [w["row"].format(line=r.line, status=label("import_status", r.status, lang), key=r.key,
                                changes=changes_text(r, lang)) for r in plan.rows if r.status != "unchanged"]
    out += [f"! {e.message(lang)}" for e in plan.errors]
    if plan.errors:
        out.append("! " + w["none"])
    return out
