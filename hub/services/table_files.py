"""Tables in files, both ways: a CSV or Excel file read into its header and numbered rows of
text, and rows written out as CSV or XLSX. No database, no meaning: the import
(hub/services/importing.py) gives the columns their meaning.

Reading: the first non-empty row is the header; a row's number is its line in the file
(CSV: its physical first line, so a quoted cell over two lines does not shift the numbers
after it; XLSX: the sheet's row number) — what a person sees in Excel or an editor. Empty
rows are skipped. A CSV is UTF-8 (with or without the BOM Excel writes) or, failing that,
GB18030 (what Excel saves as "CSV" on a Chinese Windows). Excel cells are turned into the
text a person sees: 3.0 → "3", a date → 2026-05-28.

Writing: CSV with a BOM (so Excel opens Chinese headers right), XLSX with a bold header."""
import csv
import datetime
import io
from dataclasses import dataclass

from shared.errors import ServiceError

MAX_ROWS = 50_000          # rows of one import file (a larger one is refused, not cut)
MAX_BYTES = 20 * 1024 * 1024
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]   # (line number, cells as text)


def format_of(name: str) -> str:
    """The file's format by its name: csv, xlsx (an .xls of old Excel is refused in words)."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in ("xlsx", "xlsm"):
        return "xlsx"
    if ext in ("csv", "txt"):
        return "csv"
    raise ServiceError.of("import_format", name=name)


def read_table(data: bytes, name: str) -> Table:
    if len(data) > MAX_BYTES:
        raise ServiceError.of("import_too_large", mb=MAX_BYTES // (1024 * 1024))
    table = _read_xlsx(data) if format_of(name) == "xlsx" else _read_csv(data)
    if not table.header:
        raise ServiceError.of("import_empty")
    if len(table.rows) > MAX_ROWS:
        raise ServiceError.of("import_too_many", n=MAX_ROWS)
    return table


def _text_of(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError.of("import_encoding")


def _read_csv(data: bytes) -> Table:
    text = _text_of(data)
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines)
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    try:
        while True:
            line = reader.line_num + 1       # where the next record starts
            try:
                cells = next(reader)
            except StopIteration:
                break
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue
            if not header:
                header = cells
            else:
                rows.append((line, cells))
    except csv.Error:
        raise ServiceError.of("import_csv_broken", line=reader.line_num) from None
    return Table(header, rows)


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, datetime.datetime):
        return v.date().isoformat() if v.time() == datetime.time() else v.isoformat(sep=" ", timespec="minutes")
    if isinstance(v, datetime.date):
        return v.isoformat()
    return " ".join(str(v).split()) if "\n" not in str(v) else str(v).strip()


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ServiceError.of("import_xlsx_broken") from None
    try:
        ws = wb.worksheets[0]
        header: list[str] = []
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if not any(cells):
                continue
            if not header:
                header = cells
            else:
                rows.append((number, cells))
                if len(rows) > MAX_ROWS:
                    break
        return Table(header, rows)
    finally:
        wb.close()


def to_csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO(newline="")
    w = csv.writer(out)
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(header: list[str], rows: list[list], sheet: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    bold = []
    for h in header:
        c = WriteOnlyCell(ws, value=h)
        c.font = Font(bold=True)
        bold.append(c)
    ws.append(bold)
    for r in rows:
        ws.append(["" if v is None else v for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
