"""A report as an Excel workbook (openpyxl): a title line with the filters, a header row
whose titles carry the units (元, %), the header frozen, money in yuan with two decimals,
rates as percentages, column widths fitted to the content (CJK characters count double)."""
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from shared.reports import Unit

FORMATS = {Unit.YUAN: "#,##0.00", Unit.PCT: '0.0"%"', Unit.COUNT: "#,##0", Unit.SCORE: "0.00",
           Unit.HOURS: "0.0"}
HEADER_ROW = 2


def cell_value(unit: Unit, value):
    if value is None:
        return None
    if unit == Unit.YUAN:
        return value / 100  # fen → yuan
    return value


def _width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def to_xlsx(result, lang: str = "zh") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = str(result.report)[:31]
    ws.cell(row=1, column=1,
            value=result.title + (f"  ({result.scope})" if result.scope else "")).font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE3F3")
    widths = []
    for j, col in enumerate(result.columns, start=1):
        c = ws.cell(row=HEADER_ROW, column=j, value=col.title(lang))
        c.font, c.fill = Font(bold=True), header_fill
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths.append(_width(c.value))
    for i, row in enumerate(result.rows, start=HEADER_ROW + 1):
        for j, col in enumerate(result.columns, start=1):
            c = ws.cell(row=i, column=j, value=cell_value(col.unit, row.get(col.key)))
            if col.unit in FORMATS:
                c.number_format = FORMATS[col.unit]
            shown = f"{c.value:,.2f}" if isinstance(c.value, float) else c.value
            widths[j - 1] = max(widths[j - 1], _width(shown))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=HEADER_ROW, column=j).column_letter].width = min(max(w + 2, 8), 48)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
