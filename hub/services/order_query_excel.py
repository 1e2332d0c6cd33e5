"""The ticket query's result as an Excel workbook, in the reports' house style
(hub/services/report_excel.py): a title line with the filters, a bold shaded header row,
the header frozen, times as local date-times, column widths fitted to the content (CJK
characters count double). Written in openpyxl's write-only mode: up to EXPORT_LIMIT rows
stream out without a cell object each."""
import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from shared.periods import local_datetime

from hub.services.report_excel import _width

# (title zh, title en, the row's value); times are written as local date-times
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("单号", "Number", "number"), ("创建时间", "Created", "created_at"), ("类型", "Type", "type_label"),
    ("状态", "Status", "status_label"), ("客户", "Customer", "customer_name"), ("电话", "Phone", "phone"),
    ("城市", "City", "city"), ("型号", "Model", "model_code"), ("网点", "Outlet", "outlet_name"),
    ("大区", "Region", "region"), ("师傅", "Technician", "technician_name"), ("坐席", "Agent", "agent_name"),
    ("时效", "SLA", "sla_label"), ("关闭时间", "Closed", "closed_at"), ("故障描述", "Fault", "fault_description"),
)
TIMES = frozenset({"created_at", "closed_at"})
TIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_WIDTH = 48


def _value(row, key: str):
    v = getattr(row, key)
    if key in TIMES:
        return local_datetime(v).replace(tzinfo=None) if isinstance(v, int) else None
    return v


def to_xlsx(rows, scope: str, lang: str, now: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("工单查询" if lang != "en" else "Orders")
    titles = [en if lang == "en" else zh for zh, en, _ in COLUMNS]
    values = [[_value(r, key) for _, _, key in COLUMNS] for r in rows]
    widths = [_width(t) for t in titles]
    for line in values:
        for j, v in enumerate(line):
            shown = v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else v
            widths[j] = max(widths[j], _width(shown))
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), MAX_WIDTH)
    ws.freeze_panes = "A3"
    heading = ("Ticket query" if lang == "en" else "工单查询") + (f"  ({scope})" if scope else "")
    stamp = local_datetime(now).strftime("%Y-%m-%d %H:%M")
    count = f"{len(rows):,} orders, {stamp}" if lang == "en" else f"共 {len(rows):,} 条，{stamp} 导出"
    title = WriteOnlyCell(ws, value=f"{heading}  —  {count}")
    title.font = Font(bold=True)
    ws.append([title])
    fill = PatternFill("solid", fgColor="DDE3F3")
    header = []
    for t in titles:
        c = WriteOnlyCell(ws, value=t)
        c.font, c.fill = Font(bold=True), fill
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(c)
    ws.append(header)
    for line in values:
        cells = []
        for v in line:
            c = WriteOnlyCell(ws, value=v)
            if isinstance(v, datetime):
                c.number_format = TIME_FORMAT
            cells.append(c)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
