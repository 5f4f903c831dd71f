"""Bulk intake: each row checked on its own, with its reasons per field."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partners.intake.checking import check_context_build, row_check
from partners.intake.reading import intake_file_read
from partners.models import IntakeBatch, IntakeRow
from partners.services import intake_batch_create, intake_batch_validate
from registry.services.people import PERSON_FIELDS, _as_text, person_data_clean
from tests.factories import (
    INTAKE_ROW,
    BranchFactory,
    PersonFactory,
    ProgrammeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

ROW = dict(INTAKE_ROW)
COLUMNS = [*ROW, "commune_code", "village_name", "occupation", "consents"]


def csv_bytes(rows) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return stream.getvalue().encode()


def checked(staff, rows) -> dict[int, IntakeRow]:
    batch = intake_batch_create(
        branch=staff.role_assignments.get().branch,
        uploaded_by=staff,
        upload=SimpleUploadedFile("rows.csv", csv_bytes(rows)),
    )
    batch = intake_batch_validate(batch_id=batch.pk)
    assert batch.status == IntakeBatch.Status.VALIDATED, batch.error_en
    return {row.row_number: row for row in batch.rows.all()}


def row(n: int, **changes) -> dict:
    return {**ROW, "reference": f"F-{n}", **changes}


def test_valid_rows_are_unaffected_by_invalid_ones(staff):
    rows = checked(
        staff,
        [row(1), row(2, sex="X", date_of_birth="31/02/1990"), row(3, phone="+855 97 123 4567")],
    )
    assert rows[2].status == rows[4].status == IntakeRow.Status.VALID
    assert rows[3].status == IntakeRow.Status.INVALID
    assert set(rows[3].errors) == {"sex", "date_of_birth"}
    assert rows[3].cleaned == {}
    batch = rows[2].batch
    batch.refresh_from_db()
    assert (batch.valid_rows, batch.invalid_rows, batch.existing_rows) == (2, 1, 0)


def test_errors_are_stored_in_khmer_and_english(staff):
    rows = checked(staff, [row(1, sex="X")])
    errors = rows[2].errors["sex"]
    assert errors["en"] == ["Choose F (female) or M (male)."]
    assert errors["km"] and errors["km"] != errors["en"]


def test_impossible_dates_are_refused(staff):
    rows = checked(
        staff,
        [row(1, date_of_birth="31/02/1990"), row(2, date_of_birth="1990-13-01"),
         row(3, date_of_birth="17.05.90"), row(4, date_of_birth="2090-01-01")],
    )  # fmt: skip
    assert rows[2].errors["date_of_birth"]["en"] == [
        "This date does not exist. Check the day and the month."
    ]
    assert rows[3].errors["date_of_birth"]["en"] == [
        "This date does not exist. Check the day and the month."
    ]
    assert "day/month/year" in rows[4].errors["date_of_birth"]["en"][0]
    assert rows[5].errors["date_of_birth"]["en"] == ["The date of birth cannot be in the future."]


def test_a_reference_repeated_in_the_file_refuses_the_later_row(staff):
    rows = checked(staff, [row(1), row(2), row(1, name_latin="Other Name")])
    assert rows[2].status == rows[3].status == IntakeRow.Status.VALID
    assert rows[4].status == IntakeRow.Status.INVALID
    assert rows[4].errors["reference"]["en"] == [
        "This reference is repeated: it was first used in row 2."
    ]


def test_reference_is_required_and_limited(staff):
    rows = checked(
        staff, [row(1, reference=""), row(2, reference="R" * 65), row(3, reference="R" * 64)]
    )
    assert rows[2].errors["reference"]["en"][0].startswith("Enter the reference")
    assert rows[3].errors["reference"]["en"] == ["The reference can have at most 64 characters."]
    assert rows[3].reference == "R" * 64  # stored cut to the column; the cell keeps it whole
    assert rows[3].cells["reference"] == "R" * 65
    assert rows[4].status == IntakeRow.Status.VALID


def test_references_already_registered_by_the_partner_are_reported_existing(staff):
    branch = staff.role_assignments.get().branch
    person = PersonFactory(partner=branch.partner, branch=branch, reference="F-1")
    other_partner = PersonFactory(partner=BranchFactory().partner, reference="F-2")
    rows = checked(staff, [row(1), row(2)])
    assert rows[2].status == IntakeRow.Status.EXISTING
    assert rows[2].person == person
    assert rows[3].status == IntakeRow.Status.VALID  # another partner's F-2 is someone else
    assert other_partner.reference == "F-2"


def test_unknown_village_code_is_refused(staff):
    rows = checked(staff, [row(1, village_code="99999999"), row(2, village_code="")])
    assert rows[2].errors["village_code"]["en"] == [
        "Village code 99999999 is not in the official list."
    ]
    assert rows[3].errors["village_code"]["en"] == ["Enter the village code."]


def test_village_code_shared_by_two_communes_needs_the_commune_code(staff):
    rows = checked(
        staff,
        [row(1, village_code="02140401"), row(2, village_code="02140401", commune_code="021405"),
         row(3, village_code="02140401", commune_code="120101")],
    )  # fmt: skip
    message = rows[2].errors["village_code"]["en"][0]
    assert "021404" in message and "021405" in message and "commune_code" in message
    assert rows[3].status == IntakeRow.Status.VALID
    assert rows[3].cleaned["history"]["village"][1].startswith("02140401 ")
    assert rows[4].errors["village_code"]["en"] == [
        "Village code 02140401 is not in commune 120101."
    ]


def test_village_code_repeated_inside_a_commune_needs_the_village_name(staff):
    rows = checked(
        staff,
        [row(1, village_code="08120101", commune_code="081201"),
         row(2, village_code="08120101", commune_code="081201", village_name="Thmei"),
         row(3, village_code="08120101", village_name="ថ្មី")],
    )  # fmt: skip
    assert "village_name" in rows[2].errors["village_code"]["en"][0]
    assert rows[3].status == rows[4].status == IntakeRow.Status.VALID
    assert rows[3].cleaned["village_id"] == rows[4].cleaned["village_id"]


def test_consents_name_programmes_or_data_sharing(staff):
    nssf = ProgrammeFactory(code="nssf")
    ProgrammeFactory(code="closed", is_active=False)
    rows = checked(
        staff,
        [row(1, consents="NSSF; data_sharing"), row(2, consents="nssf;tax-relief"),
         row(3, consents="closed"), row(4)],
    )  # fmt: skip
    assert rows[2].cleaned["purposes"] == [None, nssf.pk]  # None: data sharing
    assert rows[3].errors["consents"]["en"][0].startswith("Unknown consent codes: tax-relief.")
    assert rows[4].status == IntakeRow.Status.INVALID  # an inactive programme cannot be chosen
    assert "purposes" not in rows[5].cleaned


def test_cells_beyond_the_header_refuse_the_row(staff):
    data = (
        csv_bytes([row(1)]).decode()
        + ",".join([*row(2).values(), "", "", "", "", "extra"])
        + "\r\n"
    )
    batch = intake_batch_create(
        branch=staff.role_assignments.get().branch,
        uploaded_by=staff,
        upload=SimpleUploadedFile("rows.csv", data.encode()),
    )
    batch = intake_batch_validate(batch_id=batch.pk)
    overflow = batch.rows.get(row_number=3)
    assert overflow.status == IntakeRow.Status.INVALID
    assert "right of the last column" in overflow.errors["row"]["en"][0]


def test_formula_like_cells_are_kept_as_text_and_refused(staff):
    rows = checked(
        staff,
        [row(1, name_latin="=1+2"), row(2, name_km="@SUM(A1)"), row(3, national_id="-2+3"),
         row(4, phone="+855 12 345 678")],
    )  # fmt: skip
    assert rows[2].cells["name_latin"] == "=1+2"
    assert {rows[n].status for n in (2, 3, 4)} == {IntakeRow.Status.INVALID}
    assert rows[5].status == IntakeRow.Status.VALID


def test_cells_are_stored_exactly_whatever_characters_they_hold(staff):
    """Rows go to the database as COPY text: backslashes, tabs, line breaks, quotes and
    Khmer in the cells, the reference and the messages come back unchanged."""
    awkward = 'C:\\forms\\n\t"quoted"\r\nline ស៊ុន \\N'
    rows = checked(
        staff,
        [row(1, name_latin=awkward, occupation=awkward),
         row(2, reference="REF\\2 ស", occupation="a\\tb")],
    )  # fmt: skip
    assert rows[2].cells["occupation"] == awkward
    assert rows[2].cells["name_latin"] == awkward
    assert rows[2].status == IntakeRow.Status.INVALID  # a Latin name has no backslash
    assert rows[3].reference == "REF\\2 ស"
    assert rows[3].cells["occupation"] == "a\\tb"
    assert rows[3].status == IntakeRow.Status.VALID
    assert rows[3].cleaned["history"]["occupation"][1] == "a\\tb"


def test_checking_gives_what_person_data_clean_gives(staff):
    """The per-value memo of the checker agrees with the registry's own rules."""
    branch = staff.role_assignments.get().branch
    samples = [
        row(1),
        row(2, name_km="ចាន់\u200bសុភា", name_latin="CHAN sophea", sex="f",
            date_of_birth="០៥/០១/១៩៨៥", national_id="0123 45678", phone="០១២ ៣៤៥ ៦៧៨",
            occupation="  tailor ", actor_type="SEASONAL_WORKER"),
        row(3, village_code="02140401", commune_code="021404"),
        row(4, name_km="Sok", phone="12"),
        row(5, national_id="111111111", sector="fishing"),
    ]  # fmt: skip
    intake_file = intake_file_read(data=csv_bytes(samples), name="rows.csv")
    today = timezone.localdate()
    context = check_context_build(
        batch=IntakeBatch(pk=0, branch=branch), rows=intake_file.rows, today=today
    )
    for intake_row in intake_file.rows:
        status, errors, cleaned, _person = row_check(intake_row, context)
        try:
            data = person_data_clean(raw=intake_row.cells, today=today)
        except ValidationError as error:
            expected = {"village_code" if f == "village" else f for f in error.error_dict}
            assert status == IntakeRow.Status.INVALID
            assert set(errors) == expected
        else:
            assert status == IntakeRow.Status.VALID
            assert cleaned["history"] == {
                f: [None, _as_text(getattr(data, f))] for f in PERSON_FIELDS
            }
            assert cleaned["village_id"] == data.village.pk
