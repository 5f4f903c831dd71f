"""Reading a bulk-intake file (CSV UTF-8 or XLSX) into rows of text cells.

What a spreadsheet does to the cells is undone here, once, for both formats:

- a leading apostrophe (Excel's "this is text" mark, and what our rejected-rows file
  puts before a cell that looks like a formula) is removed;
- numbers become text without ".0" (village code 12010101.0 -> "12010101"), dates become
  YYYY-MM-DD, and a village or commune code that lost its leading zero (1020304) gets it
  back;
- formulas are never evaluated: an XLSX formula cell is read as its text ("=A1"), which
  then fails validation like any other wrong value.

Anything that is not a readable file of the template is refused as a whole with one
message (ValidationError with a `code`), so nothing of it is stored as rows.

Hostile files are bounded before they cost memory (limits in settings, README
"Intake limits"): a NUL character is dropped from every cell (PostgreSQL's text and
jsonb refuse it, and no spreadsheet means it); a cell longer than INTAKE_MAX_CELL_CHARS
refuses the file; an XLSX is measured from its zip directory before it is opened (its
parts' unpacked sizes, INTAKE_MAX_UNPACKED_BYTES in all and INTAKE_MAX_PART_BYTES for
any part but a worksheet, which openpyxl streams; the shared-string table is read whole,
so it is the part that must stay small), and a workbook that breaks the reader half-way
(a cell pointing past the shared-string table) is refused like any unreadable workbook.
"""

import codecs
import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partners.intake.columns import CODE_WIDTHS, file_columns, header_match

# Row numbers are those a spreadsheet shows: the header is row 1.
HEADER_ROW = 1
# A national ID card number read from a number cell lost its leading zeros; more than two
# lost is not a slip a spreadsheet makes, so such a value is left to fail validation.
NATIONAL_ID_WIDTH = 9

_XLSX_MAGIC = b"PK\x03\x04"
# Old binary Excel files (.xls) and password-protected .xlsx files are OLE containers.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAVE_AS_CSV_UTF8 = _(
    'Save the file as "CSV UTF-8 (Comma delimited)" or as an Excel workbook (.xlsx) and '
    "upload it again."
)


@dataclass
class IntakeRowCells:
    number: int
    cells: dict[str, str]
    # The row has values beyond the last column of the header.
    overflow: bool = False


@dataclass
class IntakeFile:
    columns: list[str]
    rows: list[IntakeRowCells] = field(default_factory=list)


def _refuse(message, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def intake_file_read(*, data: bytes, name: str = "") -> IntakeFile:
    """Read the rows of an uploaded file, or raise ValidationError about the whole file."""
    if not data.strip(b"\r\n\t \xef\xbb\xbf"):
        raise _refuse(_("The file is empty."), "file_empty")
    if data.startswith(_XLSX_MAGIC):
        return _read_xlsx(data)
    if data.startswith(_OLE_MAGIC):
        raise _refuse(
            _(
                "This is an old Excel (.xls) or password-protected workbook, which cannot "
                "be read. %(advice)s"
            ),
            "file_format",
            advice=_SAVE_AS_CSV_UTF8,
        )
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise _refuse(
            _("This file is not a valid Excel workbook. %(advice)s"),
            "file_format",
            advice=_SAVE_AS_CSV_UTF8,
        )
    return _read_csv(data)


def _decode(data: bytes) -> str:
    # Excel's "Unicode text" and some exports are UTF-16 (or 32): refused, not guessed,
    # so every accepted file is read by exactly one rule.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        raise _refuse(
            _('The file is in UTF-16 ("Unicode text"), not UTF-8. %(advice)s'),
            "file_encoding",
            advice=_SAVE_AS_CSV_UTF8,
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _refuse(
            _(
                'The file is not in UTF-8 (it looks like Windows-1252, "ANSI" or another '
                "legacy encoding; the first wrong character is on line %(line)s). %(advice)s"
            ),
            "file_encoding",
            line=line,
            advice=_SAVE_AS_CSV_UTF8,
        ) from None


def _delimiter(first_line: str) -> str:
    # Excel saves "CSV" with ";" where the decimal separator is a comma; accept it.
    if "," in first_line:
        return ","
    for candidate in (";", "\t"):
        if candidate in first_line:
            return candidate
    return ","


def _read_csv(data: bytes) -> IntakeFile:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        records = enumerate(reader, HEADER_ROW)
        header = None
        for _number, values in records:
            if any(cell.strip() for cell in values):
                header = values
                break
        if header is None:
            raise _refuse(_("The file is empty."), "file_empty")
        columns = header_match(header)
        rows = _rows(records, columns, text_only=True)
    except csv.Error:
        raise _refuse(
            _("Line %(line)s cannot be read as CSV. %(advice)s"),
            "file_format",
            line=reader.line_num,
            advice=_SAVE_AS_CSV_UTF8,
        ) from None
    return _intake_file(columns, rows)


def _cells_clean(number: int, texts: list[str], columns: list[str | None]) -> list[str]:
    """Drop NUL characters; refuse the file when a cell is longer than any value can be."""
    limit = settings.INTAKE_MAX_CELL_CHARS
    for i, text in enumerate(texts):
        if len(text) > limit:
            column = columns[i] if i < len(columns) else None
            raise _refuse(
                _(
                    "Row %(row)s has a cell of more than %(limit)s characters (column "
                    "%(column)s). No value of the template is that long: check the file."
                ),
                "file_cell_too_long",
                row=number,
                limit=limit,
                column=column or i + 1,
            )
    if any("\x00" in text for text in texts):
        return [text.replace("\x00", "") for text in texts]
    return texts


def _rows(records, columns: list[str | None], text_only: bool = False) -> list[IntakeRowCells]:
    limit = settings.INTAKE_MAX_ROWS
    width = len(columns)
    named = [(i, column) for i, column in enumerate(columns) if column is not None]
    codes = [(column, size) for column, size in CODE_WIDTHS.items() if column in columns]
    rows: list[IntakeRowCells] = []
    for number, values in records:
        if text_only:  # CSV: every value is already a str
            texts = [v[1:] if v[:1] == "'" else v for v in values]
        else:
            texts = [
                (v[1:] if v[:1] == "'" else v) if isinstance(v, str) else _spreadsheet_text(v)
                for v in values
            ]
        texts = _cells_clean(number, texts, columns)
        if not any(map(str.strip, texts)):
            continue
        if len(texts) < width:
            texts += [""] * (width - len(texts))
        cells = {column: texts[i] for i, column in named}
        for column, size in codes:
            value = cells[column]
            if len(value) == size - 1 and value.isdigit():
                cells[column] = value.zfill(size)
        overflow = len(texts) > width and any(t.strip() for t in texts[width:])
        rows.append(IntakeRowCells(number, cells, overflow))
        if len(rows) > limit:
            raise _refuse(
                _("The file has more than %(limit)s rows. Split it into smaller files."),
                "file_too_many_rows",
                limit=limit,
            )
    return rows


def _intake_file(columns: list[str | None], rows: list[IntakeRowCells]) -> IntakeFile:
    if not rows:
        raise _refuse(_("The file has a header row but no registrants below it."), "file_no_rows")
    return IntakeFile(columns=file_columns(columns), rows=rows)


def _cell_text(value) -> str:
    if isinstance(value, str):
        return value[1:] if value.startswith("'") else value
    return _spreadsheet_text(value)


def _spreadsheet_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


# What a broken or hostile workbook raises inside openpyxl, while opening or reading.
_XLSX_BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    IndexError,
    OSError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,  # xml.etree's ParseError, and defusedxml's refusals derive from it
    EOFError,
)


def _not_a_workbook() -> ValidationError:
    return _refuse(
        _("This file is not a valid Excel workbook. %(advice)s"),
        "file_format",
        advice=_SAVE_AS_CSV_UTF8,
    )


def _xlsx_sizes_check(data: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than the limits, before unpacking."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise _not_a_workbook() from None
    total = sum(part.file_size for part in parts)
    largest_other = max(
        (p.file_size for p in parts if not p.filename.startswith("xl/worksheets/")), default=0
    )
    if total > settings.INTAKE_MAX_UNPACKED_BYTES or largest_other > settings.INTAKE_MAX_PART_BYTES:
        raise _refuse(
            _(
                "This workbook unpacks to more data than an intake file can hold (at most "
                "%(limit)s MB). Save it as CSV UTF-8 or remove what is not registrants, and "
                "upload it again."
            ),
            "file_unpacks_too_large",
            limit=settings.INTAKE_MAX_UNPACKED_BYTES // (1024 * 1024),
        )


def _read_xlsx(data: bytes) -> IntakeFile:
    _xlsx_sizes_check(data)
    try:
        return _read_xlsx_checked(data)
    except _XLSX_BROKEN:
        raise _not_a_workbook() from None


def _read_xlsx_checked(data: bytes) -> IntakeFile:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[0]
        # Some writers record a wrong sheet size; read every row that is really there.
        sheet.reset_dimensions()
        records = _xlsx_records(sheet)
        header = None
        for _number, values in records:
            if any(_spreadsheet_text(v).strip() for v in values):
                header = [_cell_text(v) for v in values]
                break
        if header is None:
            raise _refuse(_("The file is empty."), "file_empty")
        columns = header_match(header)
        rows = _rows(((n, _xlsx_numbers(v, columns)) for n, v in records), columns)
    finally:
        workbook.close()
    return _intake_file(columns, rows)


def _xlsx_records(sheet):
    number = 0
    for cells in sheet.iter_rows():
        number += 1
        for cell in cells:
            row = getattr(cell, "row", None)
            if row is not None:
                number = row
                break
        yield number, [cell.value for cell in cells]


def _xlsx_numbers(values: list, columns: list[str | None]) -> list:
    """A number cell in an ID column lost its leading zeros: give them back."""
    out = list(values)
    for i, value in enumerate(values):
        if i >= len(columns) or not isinstance(value, int | float) or isinstance(value, bool):
            continue
        if columns[i] == "national_id":
            text = _spreadsheet_text(value)
            if text.isdigit() and NATIONAL_ID_WIDTH - 2 <= len(text) < NATIONAL_ID_WIDTH:
                out[i] = text.zfill(NATIONAL_ID_WIDTH)
    return out
