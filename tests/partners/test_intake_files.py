"""Bulk intake: the files we write back (rejected rows, templates) and who sees batches."""

import codecs
import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from partners.intake import (
    TEMPLATE_COLUMNS,
    intake_rejected_rows_csv,
    intake_template_csv,
    intake_template_xlsx,
)
from partners.intake.selectors import (
    intake_batch_list_visible_to,
    intake_batch_progress,
    intake_row_counts,
    intake_row_errors,
    intake_row_list,
)
from partners.models import IntakeBatch, IntakeRow
from partners.services import intake_batch_create, intake_batch_validate
from registry.spreadsheets import cell_neutralise
from tests.factories import INTAKE_ROW, BranchFactory, ProgrammeFactory, UserFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

ROW = {
    **INTAKE_ROW,
    "commune_code": "",
}


def csv_bytes(rows, columns=None) -> bytes:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=columns or list(ROW), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return stream.getvalue().encode()


def validated(staff, data: bytes, name: str = "rows.csv") -> IntakeBatch:
    batch = intake_batch_create(
        branch=staff.role_assignments.get().branch,
        uploaded_by=staff,
        upload=SimpleUploadedFile(name, data),
    )
    return intake_batch_validate(batch_id=batch.pk)


def read_back(data: bytes) -> list[dict]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))


FORMULAS = {
    "F-2": {"name_latin": '=HYPERLINK("http://evil","x")'},
    "F-3": {"name_latin": "+SUM(1,2)", "occupation": "x"},
    "F-4": {"name_latin": "-2+3"},
    "F-5": {"name_latin": "@cmd"},
    "F-6": {"name_latin": "\tTab", "national_id": "\r=1"},
}


def test_rejected_rows_file_lists_reasons_and_neutralises_formulas(staff):
    rows = [ROW] + [{**ROW, "reference": ref, **cells} for ref, cells in FORMULAS.items()]
    batch = validated(staff, csv_bytes(rows))
    assert batch.invalid_rows == 5
    data = intake_rejected_rows_csv(batch=batch, language="en")
    text = data[3:].decode("utf-8")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["row", "errors", *ROW]
    assert [line[0] for line in lines[1:]] == ["3", "4", "5", "6", "7"]
    # No cell of the file starts with a character a spreadsheet would evaluate.
    for line in lines[1:]:
        for cell in line:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    by_reference = {line[2]: dict(zip(lines[0], line, strict=True)) for line in lines[1:]}
    assert by_reference["F-2"]["name_latin"] == '\'=HYPERLINK("http://evil","x")'
    assert by_reference["F-4"]["name_latin"] == "'-2+3"
    assert by_reference["F-5"]["name_latin"] == "'@cmd"
    assert by_reference["F-2"]["phone"] == "012 345 678"
    assert by_reference["F-2"]["errors"].startswith("name_latin: Write this name in Latin letters")


def test_a_phone_in_international_form_survives_the_round_trip(staff):
    rows = [{**ROW, "phone": "+855 12 345 678", "sex": "X"}]
    batch = validated(staff, csv_bytes(rows))
    line = read_back(intake_rejected_rows_csv(batch=batch, language="en"))[0]
    assert line["phone"] == "'+855 12 345 678"  # shown as text, never evaluated
    fixed = {**line, "sex": "M"}
    again = validated(staff, csv_bytes([fixed], ["row", "errors", *ROW]))
    assert again.status == IntakeBatch.Status.VALIDATED
    intake_row = again.rows.get()
    assert intake_row.status == IntakeRow.Status.VALID
    assert intake_row.cells["phone"] == "+855 12 345 678"
    assert intake_row.cleaned["history"]["phone"][1] == "+85512345678"


def test_the_rejected_rows_file_can_be_fixed_and_uploaded_again(staff):
    rows = [
        ROW,
        {**ROW, "reference": "F-2", "sex": "X", "name_latin": "-Sok"},
        {**ROW, "reference": "F-3", "date_of_birth": "31/02/1990"},
    ]
    batch = validated(staff, csv_bytes(rows))
    rejected = intake_rejected_rows_csv(batch=batch, language="en")
    lines = read_back(rejected)
    assert [line["reference"] for line in lines] == ["F-2", "F-3"]
    lines[0].update(sex="F", name_latin="Sok")
    lines[1].update(date_of_birth="28/02/1990")
    again = validated(staff, csv_bytes(lines, list(lines[0])), "rows.rejected.csv")
    assert again.status == IntakeBatch.Status.VALIDATED
    assert (again.valid_rows, again.invalid_rows) == (2, 0)
    # The file as we wrote it, unchanged, is read back to the same cells.
    same = validated(staff, rejected, "rows.rejected.csv")
    assert [r.cells for r in same.rows.order_by("row_number")] == [
        r.cells for r in batch.rows.filter(status="invalid").order_by("row_number")
    ]


def test_reasons_are_written_in_the_requested_language(staff):
    batch = validated(staff, csv_bytes([{**ROW, "sex": "X"}]))
    english = read_back(intake_rejected_rows_csv(batch=batch, language="en"))[0]["errors"]
    khmer = read_back(intake_rejected_rows_csv(batch=batch, language="km"))[0]["errors"]
    assert english == "sex: Choose F (female) or M (male)."
    assert khmer.startswith("sex: ") and khmer != english


def test_cell_neutralise():
    assert cell_neutralise("=1+1") == "'=1+1"
    assert cell_neutralise("'quoted") == "''quoted"
    assert cell_neutralise("Sok Dara") == "Sok Dara"
    assert cell_neutralise("") == ""
    # What the probe found written back raw (issue 15).
    assert cell_neutralise("=SUM(1,2)") == "'=SUM(1,2)"
    assert cell_neutralise(" =1+1") == "' =1+1"
    assert cell_neutralise("＝1+1") == "'＝1+1"
    assert cell_neutralise("@cmd") == "'@cmd"
    assert cell_neutralise("- 5") == "'- 5"


def test_csv_template_is_the_header_row_only():
    data = intake_template_csv("km")
    assert data.startswith(codecs.BOM_UTF8)
    assert data[3:].decode() == ",".join(TEMPLATE_COLUMNS) + "\r\n"
    assert intake_template_csv("en") == data
    assert (
        data[3:]
        .decode()
        .startswith(
            "reference,name_km,name_latin,sex,date_of_birth,national_id,phone,village_code,"
            "actor_type,sector,"
        )
    )


def test_xlsx_template_has_the_data_sheet_and_bilingual_instructions():
    ProgrammeFactory(code="nssf-pension")
    workbook = openpyxl.load_workbook(io.BytesIO(intake_template_xlsx()))
    data, instructions = workbook.worksheets
    assert [c.value for c in data[1]] == list(TEMPLATE_COLUMNS)
    assert data.max_row == 1
    assert "ការណែនាំ" in instructions.title and "Instructions" in instructions.title
    described = {row[0].value: row for row in instructions.iter_rows(min_row=2) if row[0].value}
    for column in TEMPLATE_COLUMNS:
        assert column in described
        _required, khmer, english = (cell.value for cell in described[column][1:4])
        assert khmer and english
        assert any("\u1780" <= ch <= "\u17ff" for ch in khmer)
    assert "nssf-pension" in described
    assert "F (female) or M (male)" in described["sex"][3].value


def test_xlsx_template_offers_the_codes_as_drop_down_lists():
    from registry.models.people import ActorType, Sector

    data = openpyxl.load_workbook(io.BytesIO(intake_template_xlsx())).worksheets[0]
    lists = {}
    for validation in data.data_validations.dataValidation:
        assert validation.type == "list" and validation.showErrorMessage
        first_cell = str(validation.sqref).split(":")[0]
        column = data[first_cell].column - 1
        lists[TEMPLATE_COLUMNS[column]] = validation.formula1.strip('"').split(",")
    assert lists == {
        "sex": ["F", "M"],
        "actor_type": list(ActorType.values),
        "sector": list(Sector.values),
    }


def test_the_blank_xlsx_template_filled_in_is_accepted(staff):
    workbook = openpyxl.load_workbook(io.BytesIO(intake_template_xlsx()))
    workbook.worksheets[0].append([ROW.get(column, "") for column in TEMPLATE_COLUMNS])
    stream = io.BytesIO()
    workbook.save(stream)
    batch = validated(staff, stream.getvalue(), "filled.xlsx")
    assert batch.status == IntakeBatch.Status.VALIDATED
    assert batch.valid_rows == 1


def test_batches_are_visible_to_their_branch_and_partner_only(staff):
    branch = staff.role_assignments.get().branch
    batch = validated(staff, csv_bytes([ROW]))
    colleague = user_with_role(Role.BRANCH_STAFF, branch=branch)
    supervisor = user_with_role(Role.PARTNER_SUPERVISOR, partner=branch.partner)
    other_branch = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory(partner=branch.partner))
    other_partner = user_with_role(Role.PARTNER_SUPERVISOR, partner=BranchFactory().partner)
    ministry = user_with_role(Role.MINISTRY_OFFICER)
    admin = UserFactory(is_superuser=True)
    for user in (staff, colleague, supervisor, admin):
        assert list(intake_batch_list_visible_to(user=user)) == [batch]
    for user in (other_branch, other_partner, ministry):
        assert not intake_batch_list_visible_to(user=user).exists()


def test_row_selectors_for_the_preview(staff):
    batch = validated(staff, csv_bytes([ROW, {**ROW, "reference": "F-2", "sex": "X"}]))
    assert intake_row_counts(batch=batch) == {
        "valid": 1, "invalid": 1, "existing": 0, "committed": 0
    }  # fmt: skip
    invalid = intake_row_list(batch=batch, status=IntakeRow.Status.INVALID).get()
    assert intake_row_errors(row=invalid, language="en") == [
        ("sex", "Choose F (female) or M (male).")
    ]
    assert [r.row_number for r in intake_row_list(batch=batch)] == [2, 3]
    assert intake_batch_progress(batch=batch) == 100
