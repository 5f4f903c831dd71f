"""Bulk intake: files refused as a whole, and what is read from CSV and XLSX files."""

import codecs
import csv
import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from partners.intake import TEMPLATE_COLUMNS
from partners.models import IntakeBatch, IntakeRow
from partners.services import intake_batch_create, intake_batch_validate
from tests.factories import INTAKE_ROW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

REQUIRED = (
    "reference,name_km,name_latin,sex,date_of_birth,national_id,phone,village_code,"
    "actor_type,sector"
)
ROW = dict(INTAKE_ROW)


def csv_text(rows, columns=None) -> str:
    columns = columns or list(ROW)
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column.strip().lower(), "") for column in columns])
    return stream.getvalue()


def upload(staff, data: bytes, name: str = "registrants.csv") -> IntakeBatch:
    batch = intake_batch_create(
        branch=staff.role_assignments.get().branch,
        uploaded_by=staff,
        upload=SimpleUploadedFile(name, data),
    )
    return intake_batch_validate(batch_id=batch.pk)


def test_a_valid_csv_is_read_and_checked(staff):
    batch = upload(staff, csv_text([ROW, {**ROW, "reference": "F-2"}]).encode())
    assert batch.status == IntakeBatch.Status.VALIDATED
    assert (batch.total_rows, batch.valid_rows, batch.invalid_rows) == (2, 2, 0)
    assert batch.sha256 and batch.size > 0
    rows = list(batch.rows.order_by("row_number"))
    assert [r.row_number for r in rows] == [2, 3]  # as a spreadsheet numbers them
    assert rows[0].cells["name_km"] == "សុខ ដារា"
    assert rows[0].cleaned["history"]["phone"][1] == "+85512345678"


def test_a_utf8_bom_is_tolerated(staff):
    batch = upload(staff, codecs.BOM_UTF8 + csv_text([ROW]).encode())
    assert batch.status == IntakeBatch.Status.VALIDATED
    assert batch.valid_rows == 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_refused_saying_how_to_save(staff, encoding):
    batch = upload(staff, csv_text([ROW]).encode(encoding))
    assert batch.status == IntakeBatch.Status.REJECTED
    assert "UTF-16" in batch.error_en
    assert "CSV UTF-8" in batch.error_en
    assert batch.error_km  # the Khmer catalogue translates it
    assert not batch.rows.exists()


def test_windows_1252_is_refused_naming_the_line(staff):
    # What "CSV (Comma delimited)" gives on Windows: Khmer lost as "?", accents in cp1252.
    rows = [
        {**ROW, "name_km": "??"},
        {**ROW, "reference": "F-2", "name_km": "??", "name_latin": "Sok Dará"},
    ]
    batch = upload(staff, csv_text(rows).encode("cp1252"))
    assert batch.status == IntakeBatch.Status.REJECTED
    assert "not in UTF-8" in batch.error_en
    assert "line 3" in batch.error_en
    assert "CSV UTF-8" in batch.error_en
    assert not batch.rows.exists()


def test_missing_columns_are_named(staff):
    columns = [c for c in ROW if c not in ("sex", "village_code")]
    batch = upload(staff, csv_text([ROW], columns).encode())
    assert batch.status == IntakeBatch.Status.REJECTED
    assert batch.error_en == "Required columns are missing: sex, village_code."


def test_extra_columns_are_refused_by_name(staff):
    batch = upload(staff, csv_text([ROW], [*ROW, "comune_code", "notes"]).encode())
    assert batch.status == IntakeBatch.Status.REJECTED
    assert "Unknown columns: comune_code, notes." in batch.error_en


def test_repeated_columns_are_refused(staff):
    batch = upload(staff, csv_text([ROW], [*ROW, "phone"]).encode())
    assert batch.status == IntakeBatch.Status.REJECTED
    assert "more than once: phone" in batch.error_en


def test_reordered_columns_with_other_case_and_spaces_are_read(staff):
    columns = [
        " Village Code",
        "SECTOR",
        *reversed([c for c in ROW if c not in ("village_code", "sector")]),
    ]
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(columns)
    writer.writerow([ROW["village_code"], ROW["sector"], *[ROW[c] for c in columns[2:]]])
    batch = upload(staff, stream.getvalue().encode())
    assert batch.status == IntakeBatch.Status.VALIDATED
    assert batch.valid_rows == 1
    assert batch.rows.get().cells["village_code"] == "12010101"


def test_optional_columns_are_accepted(staff):
    columns = list(TEMPLATE_COLUMNS)
    row = {**ROW, "commune_code": "120101", "occupation": "Tailor", "consents": "data_sharing"}
    batch = upload(staff, csv_text([row], columns).encode())
    assert batch.status == IntakeBatch.Status.VALIDATED
    assert batch.rows.get().cleaned["history"]["occupation"][1] == "Tailor"


def test_semicolon_separated_csv_is_read(staff):
    text = csv_text([ROW]).replace(",", ";")
    batch = upload(staff, text.encode())
    assert batch.status == IntakeBatch.Status.VALIDATED
    assert batch.valid_rows == 1


def test_empty_file_is_refused_before_anything_is_stored(staff):
    for data in (b"", b"\r\n  \n", codecs.BOM_UTF8):
        with pytest.raises(ValidationError) as caught:
            intake_batch_create(
                branch=staff.role_assignments.get().branch,
                uploaded_by=staff,
                upload=SimpleUploadedFile("empty.csv", data),
            )
        assert caught.value.code == "file_empty"
    assert not IntakeBatch.objects.exists()


def test_header_only_is_refused(staff):
    batch = upload(staff, (REQUIRED + "\r\n").encode())
    assert batch.status == IntakeBatch.Status.REJECTED
    assert batch.error_en == "The file has a header row but no registrants below it."


def test_blank_rows_are_skipped_and_numbering_follows_the_sheet(staff):
    text = (
        csv_text([ROW])
        + ",,,,,,,,,\r\n\r\n"
        + csv_text([{**ROW, "reference": "F-2"}]).split("\r\n", 1)[1]
    )
    batch = upload(staff, text.encode())
    assert batch.total_rows == 2
    assert list(batch.rows.values_list("row_number", flat=True).order_by("row_number")) == [2, 5]


def test_file_above_the_size_limit_is_refused_before_anything_is_stored(staff, settings):
    settings.INTAKE_MAX_BYTES = 100
    data = csv_text([ROW, {**ROW, "reference": "F-2"}]).encode()
    assert len(data) > 100
    with pytest.raises(ValidationError) as caught:
        intake_batch_create(
            branch=staff.role_assignments.get().branch,
            uploaded_by=staff,
            upload=SimpleUploadedFile("big.csv", data),
        )
    assert caught.value.code == "file_too_large"
    assert not IntakeBatch.objects.exists()


def test_a_client_that_understates_the_size_is_still_refused(staff, settings):
    settings.INTAKE_MAX_BYTES = 100
    upload_file = SimpleUploadedFile("big.csv", csv_text([ROW, ROW]).encode())
    upload_file.size = 10
    with pytest.raises(ValidationError) as caught:
        intake_batch_create(
            branch=staff.role_assignments.get().branch, uploaded_by=staff, upload=upload_file
        )
    assert caught.value.code == "file_too_large"
    assert not IntakeBatch.objects.exists()


def test_too_many_rows_are_refused(staff, settings):
    settings.INTAKE_MAX_ROWS = 2
    rows = [{**ROW, "reference": f"F-{i}"} for i in range(3)]
    batch = upload(staff, csv_text(rows).encode())
    assert batch.status == IntakeBatch.Status.REJECTED
    assert "more than 2 rows" in batch.error_en


def test_old_excel_and_broken_workbooks_are_refused(staff):
    batch = upload(staff, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls")
    assert batch.status == IntakeBatch.Status.REJECTED
    assert ".xls" in batch.error_en
    batch = upload(staff, b"PK\x03\x04 not really a zip", "broken.xlsx")
    assert batch.status == IntakeBatch.Status.REJECTED
    assert "not a valid Excel workbook" in batch.error_en


def test_a_leading_apostrophe_is_removed_from_every_cell(staff):
    row = {
        **ROW,
        "phone": "'+855 12 345 678",
        "village_code": "'12010101",
        "name_latin": "'Sok Dara",
    }
    batch = upload(staff, csv_text([row]).encode())
    intake_row = batch.rows.get()
    assert intake_row.status == IntakeRow.Status.VALID
    assert intake_row.cells["phone"] == "+855 12 345 678"
    assert intake_row.cleaned["history"]["phone"][1] == "+85512345678"


def test_village_code_that_lost_its_leading_zero_is_restored(staff):
    batch = upload(staff, csv_text([{**ROW, "village_code": "1020101"}]).encode())
    intake_row = batch.rows.get()
    assert intake_row.cells["village_code"] == "01020101"
    assert intake_row.status == IntakeRow.Status.VALID


def xlsx_bytes(rows: list[list], sheets_before: int = 0) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for _ in range(sheets_before):
        workbook.create_sheet("other").append(["ignored"])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


# What a date cell holds: Excel has no time zones.
DATE_CELL = datetime.datetime(1990, 5, 17)  # noqa: DTZ001


def test_xlsx_numbers_and_dates_become_the_text_the_template_expects(staff):
    data = xlsx_bytes(
        [
            list(ROW),
            ["F-1", "សុខ ដារា", "Sok Dara", "M", DATE_CELL, 12345678,
             12345678, 12010101.0, "self_employed", "services"],
            [1002, "ចាន់ សុភា", "", "F", datetime.date(1985, 1, 2), None, 85512345679,
             1020101, "seasonal_worker", "agriculture"],
        ],
        sheets_before=1,
    )  # fmt: skip
    batch = upload(staff, data, "registrants.xlsx")
    assert batch.status == IntakeBatch.Status.VALIDATED, batch.error_en
    first, second = batch.rows.order_by("row_number")
    assert first.cells["date_of_birth"] == "1990-05-17"
    assert first.cells["village_code"] == "12010101"
    assert first.cells["national_id"] == "012345678"  # a number cell lost its leading zero
    assert first.cleaned["history"]["phone"][1] == "+85512345678"  # 012 345 678 stored as a number
    assert first.status == IntakeRow.Status.VALID
    assert second.reference == "1002"
    assert second.cells["village_code"] == "01020101"
    assert second.cleaned["history"]["phone"][1] == "+85512345679"
    assert second.status == IntakeRow.Status.VALID


def test_xlsx_formulas_are_read_as_text_never_evaluated(staff):
    data = xlsx_bytes(
        [list(ROW), ["F-1", "សុខ ដារា", "=HYPERLINK(\"http://x\",\"Sok\")", "M", "1990-05-17",
                     "", "012 345 678", "12010101", "self_employed", "services"]]
    )  # fmt: skip
    batch = upload(staff, data, "registrants.xlsx")
    intake_row = batch.rows.get()
    assert intake_row.status == IntakeRow.Status.INVALID
    assert intake_row.cells["name_latin"].startswith("=HYPERLINK(")
    assert "name_latin" in intake_row.errors


def test_xlsx_missing_columns_are_named(staff):
    data = xlsx_bytes([["reference", "name_km"], ["F-1", "សុខ ដារា"]])
    batch = upload(staff, data, "registrants.xlsx")
    assert batch.status == IntakeBatch.Status.REJECTED
    assert batch.error_en.startswith("Required columns are missing: name_latin, sex,")


def test_xlsx_with_header_only_is_refused(staff):
    batch = upload(staff, xlsx_bytes([list(ROW)]), "registrants.xlsx")
    assert batch.status == IntakeBatch.Status.REJECTED
    assert "no registrants" in batch.error_en


def test_empty_xlsx_is_refused(staff):
    batch = upload(staff, xlsx_bytes([]), "registrants.xlsx")
    assert batch.status == IntakeBatch.Status.REJECTED
    assert batch.error_en == "The file is empty."


def test_workbooks_are_parsed_with_xml_bomb_protection():
    from openpyxl import xml

    assert xml.DEFUSEDXML  # defusedxml is installed, so openpyxl parses through it
