"""Files we give back: the rejected rows with their reasons, and the blank templates.

Every cell we write that a spreadsheet could take for a formula (starting with =, +, -,
@, a tab or a carriage return) is prefixed with an apostrophe, so Excel, LibreOffice and
Google Sheets show it as text and never evaluate it. A cell that itself starts with an
apostrophe gets one more. The reader removes one leading apostrophe from every cell,
so a fixed rejected-rows file is read back exactly as the partner sent it: a phone
"+855 12 345 678" goes out as "'+855 12 345 678" and comes back as "+855 12 345 678".
"""

import codecs
import csv
import io
from typing import TextIO

from django.conf import settings

from partners.intake.columns import (
    CONSENT_COLUMN_PREFIX,
    REPORT_COLUMNS,
    TEMPLATE_COLUMNS,
    file_columns,
)
from partners.intake.template_text import COLUMN_HELP, COLUMN_HELP_CONSENT, NOTES, sheet_titles
from partners.models import IntakeBatch, IntakeRow
from programmes.models import Programme
from registry.models.people import ActorType, Sector, Sex
from registry.spreadsheets import cell_neutralise


def errors_in_language(errors: dict, language: str) -> list[tuple[str, str]]:
    """[(column, message)] in `language` (km or en), in the template's column order (so a
    row's problems read left to right, as its cells do)."""
    language = language if language in ("km", "en") else "en"
    order = {column: index for index, column in enumerate(TEMPLATE_COLUMNS)}
    columns = sorted(errors, key=lambda column: (order.get(column, len(order)), column))
    return [
        (column, " ".join(errors[column].get(language) or errors[column].get("en") or []))
        for column in columns
    ]


def errors_text(errors: dict, language: str) -> str:
    """'field: message; field: message' in `language` (km or en)."""
    return "; ".join(
        f"{field}: {message}" for field, message in errors_in_language(errors, language)
    )


def _batch_columns(batch: IntakeBatch) -> list[str]:
    first = batch.rows.order_by("row_number").values_list("cells", flat=True).first() or {}
    return file_columns(first)


def intake_rejected_rows_write(*, batch: IntakeBatch, language: str, stream: TextIO) -> int:
    """Write the batch's invalid rows as CSV text (BOM first) to `stream`; returns the count.

    Columns: row, errors, then the file's own template columns, so the file can be
    fixed and uploaded again as it is (row and errors are ignored on upload).
    """
    columns = _batch_columns(batch)
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([*REPORT_COLUMNS, *columns])
    count = 0
    rows = (
        batch.rows.filter(status=IntakeRow.Status.INVALID)
        .order_by("row_number")
        .values_list("row_number", "errors", "cells")
    )
    for number, errors, cells in rows.iterator(chunk_size=2000):
        values = [str(number), errors_text(errors, language)]
        values += [cells.get(column, "") for column in columns]
        writer.writerow([cell_neutralise(value) for value in values])
        count += 1
    return count


def intake_rejected_rows_csv(*, batch: IntakeBatch, language: str) -> bytes:
    """The rejected rows as a CSV file (UTF-8 with BOM, which Excel needs to read Khmer)."""
    stream = io.StringIO()
    intake_rejected_rows_write(batch=batch, language=language, stream=stream)
    return stream.getvalue().encode("utf-8")


def intake_template_csv(language: str | None = None) -> bytes:
    """The blank template: the header row only, UTF-8 with BOM.

    The column names are the same in every language (they are the interface partners'
    systems write to); `language` is accepted so callers treat both templates alike.
    """
    del language
    return codecs.BOM_UTF8 + (",".join(TEMPLATE_COLUMNS) + "\r\n").encode("utf-8")


# Columns whose cells take one of a few codes: the workbook offers them as a drop-down,
# so staff pick a value instead of typing it.
CHOICE_COLUMNS = {"sex": Sex.values, "actor_type": ActorType.values, "sector": Sector.values}


def _choice_lists(sheet) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    last_row = settings.INTAKE_MAX_ROWS + 1
    for column, values in CHOICE_COLUMNS.items():
        letter = get_column_letter(TEMPLATE_COLUMNS.index(column) + 1)
        choice = DataValidation(
            type="list",
            formula1='"{}"'.format(",".join(values)),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="ជ្រើសរើសពីបញ្ជី / Choose from the list",
            error="សូមជ្រើសរើសតម្លៃមួយពីបញ្ជី។ Choose a value from the list.",
        )
        choice.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(choice)


def intake_template_xlsx() -> bytes:
    """The blank template as a workbook: a data sheet with the header, and a sheet of
    instructions in Khmer and English for every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    data_title, help_title = sheet_titles()
    workbook = Workbook()
    data = workbook.active
    data.title = data_title
    data.append(list(TEMPLATE_COLUMNS))
    for index, _column in enumerate(TEMPLATE_COLUMNS, 1):
        letter = get_column_letter(index)
        data.cell(row=1, column=index).font = Font(bold=True)
        data.column_dimensions[letter].width = 18
        # Text cells: Excel keeps leading zeros and does not turn dates into numbers.
        data.column_dimensions[letter].number_format = "@"
    data.freeze_panes = "A2"
    _choice_lists(data)

    sheet = workbook.create_sheet(help_title)
    wrap = Alignment(wrap_text=True, vertical="top")
    header = ["column", "ចាំបាច់ / required", "ការណែនាំ (ខ្មែរ)", "Instructions (English)"]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in TEMPLATE_COLUMNS:
        required, khmer, english = COLUMN_HELP[column]
        sheet.append([column, required, khmer, english])
    sheet.append([])
    programmes = Programme.objects.filter(is_active=True).order_by("code")
    for code, name_km, name_en in programmes.values_list("code", "name_km", "name_en"):
        sheet.append([code, "consents", name_km, name_en])
        sheet.append([f"{CONSENT_COLUMN_PREFIX}{code}", COLUMN_HELP_CONSENT, name_km, name_en])
    sheet.append([])
    limits = {
        "max_mb": settings.INTAKE_MAX_BYTES // (1024 * 1024),
        "max_rows": settings.INTAKE_MAX_ROWS,
    }
    for khmer, english in NOTES:
        sheet.append(["", "", khmer.format(**limits), english.format(**limits)])
    for letter, width in zip("ABCD", (16, 20, 70, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
