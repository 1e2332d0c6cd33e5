"""A dry run (hub/services/importing.py `Plan`) in words, line by line, in zh or en: the
counts, then each new or changed row with what changes (old → new), then every bad row.
The CLI prints these lines; HQ's import screen shows the same words in a table."""
from shared.labels import label

from hub.services.importing import Plan, PlannedRow

WORDS = {
    "zh": {"counts": "新增 {new} 行，修改 {changed} 行，不变 {unchanged} 行；错误 {errors} 行",
           "none": "（文件有错误，没有导入任何数据）", "row": "第{line}行 {status} {key}：{changes}"},
    "en": {"counts": "{new} new, {changed} changed, {unchanged} unchanged; {errors} with errors",
           "none": "(the file has errors: nothing was imported)", "row": "line {line} {status} {key}: {changes}"},
}


def changes_text(row: PlannedRow, lang: str) -> str:
    sep = "，" if lang != "en" else ", "
    return sep.join(f"{label('import_column', c.column, lang)} {c.old} → {c.new}" if c.old
                    else f"{label('import_column', c.column, lang)} {c.new}" for c in row.changes)


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
