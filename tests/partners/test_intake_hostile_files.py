"""Intake files built to break the checking: each ends with the batch checked or refused
with a message in both languages, on the web, the API and the command line; none stays
"checking" and none costs memory in proportion to what it unpacks to."""

import functools
import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils.html import escape

from partners.models import IntakeBatch, IntakeRow
from partners.services import intake_batch_create, intake_batch_validate
from tests.api.conftest import client_for
from tests.factories import INTAKE_ROW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

COLUMNS = list(INTAKE_ROW)


def _csv(rows: list[dict]) -> bytes:
    lines = [",".join(COLUMNS)] + [",".join(row[c] for c in COLUMNS) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _rows(count: int) -> list[dict]:
    return [{**INTAKE_ROW, "reference": f"F-{n}"} for n in range(1, count + 1)]


def _workbook(rows: list[dict]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replace_parts(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The workbook with some of its parts' contents replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename not in replace:
                target.writestr(item, source.read(item.filename), zipfile.ZIP_DEFLATED)
        for name, content in replace.items():
            target.writestr(name, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def past_the_shared_strings(index: int = 999) -> bytes:
    """A cell of type "shared string" pointing at entry `index` of a one-entry table."""
    data = _workbook(_rows(1))
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace('<c r="A2" t="inlineStr"><is><t>F-1</t></is></c>', "", 1)
    sheet = sheet.replace('<row r="2">', f'<row r="2"><c r="A2" t="s"><v>{index}</v></c>', 1)
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>F-1</t></si></sst>'
    )
    content_types = book_part(data, "[Content_Types].xml").replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = book_part(data, "xl/_rels/workbook.xml.rels").replace(
        "</Relationships>",
        '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    return _replace_parts(
        data,
        {
            "xl/worksheets/sheet1.xml": sheet.encode(),
            "xl/sharedStrings.xml": strings.encode(),
            "[Content_Types].xml": content_types.encode(),
            "xl/_rels/workbook.xml.rels": rels.encode(),
        },
    )


def book_part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return book.read(name).decode()


@functools.cache  # deflating 300 MB takes seconds: built once per run
def shared_string_bomb(unpacked_mb: int = 300) -> bytes:
    """A small workbook whose one shared string unpacks to `unpacked_mb` MB, written in
    pieces so the test itself never holds it."""
    data = past_the_shared_strings(index=0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename != "xl/sharedStrings.xml":
                target.writestr(item, source.read(item.filename), zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo("xl/sharedStrings.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as part:
            part.write(
                b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats'
                b'.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
            )
            block = b"A" * (1024 * 1024)
            for _ in range(unpacked_mb):
                part.write(block)
            part.write(b"</t></si></sst>")
    return out.getvalue()


def _batch(staff, data: bytes, name: str) -> IntakeBatch:
    batch = intake_batch_create(
        branch=staff.role_assignments.get().branch,
        uploaded_by=staff,
        upload=SimpleUploadedFile(name, data),
        enqueue_validation=False,
    )
    return intake_batch_validate(batch_id=batch.pk)


def _refused(batch: IntakeBatch) -> None:
    assert batch.status == IntakeBatch.Status.REJECTED
    assert batch.error_en and batch.error_km and batch.error_en != batch.error_km
    assert not IntakeRow.objects.filter(batch=batch).exists()


def test_a_nul_after_the_first_4_kb_is_dropped_and_the_row_checked(staff):
    rows = _rows(60)
    rows[-1]["name_latin"] = "Sok\x00 Dara"
    data = _csv(rows)
    assert data.index(b"\x00") > 4096
    batch = _batch(staff, data, "rows.csv")
    assert batch.status == IntakeBatch.Status.VALIDATED
    assert batch.valid_rows == 60
    last = IntakeRow.objects.get(batch=batch, reference="F-60")
    assert last.cells["name_latin"] == "Sok Dara"


def test_a_cell_pointing_past_the_shared_strings_refuses_the_file(staff):
    batch = _batch(staff, past_the_shared_strings(), "rows.xlsx")
    _refused(batch)
    assert "not a valid Excel workbook" in batch.error_en


def test_a_shared_string_bomb_is_refused_before_it_is_unpacked(staff):
    data = shared_string_bomb(300)
    assert len(data) < 1024 * 1024  # under a megabyte on the wire ...
    tracemalloc.start()
    try:
        batch = _batch(staff, data, "rows.xlsx")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    _refused(batch)  # ... 300 MB unpacked: refused, and never unpacked
    assert "unpacks to more data" in batch.error_en
    assert peak < 20 * 1024 * 1024, peak


def test_a_shared_string_under_the_part_limit_but_over_the_cell_limit(staff, settings):
    data = shared_string_bomb(2)  # 2 MB: within INTAKE_MAX_PART_BYTES
    batch = _batch(staff, data, "rows.xlsx")
    _refused(batch)
    assert "more than 1000 characters" in batch.error_en.replace(",", "")


def test_a_long_csv_cell_refuses_the_file(staff, settings):
    rows = _rows(2)
    rows[1]["name_latin"] = "x" * (settings.INTAKE_MAX_CELL_CHARS + 1)
    batch = _batch(staff, _csv(rows), "rows.csv")
    _refused(batch)
    assert "Row 3" in batch.error_en and "name_latin" in batch.error_en


def test_the_command_reports_a_refused_hostile_file(tmp_path, staff):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(shared_string_bomb(300))
    branch = staff.role_assignments.get().branch
    with pytest.raises(CommandError, match="unpacks to more data"):
        call_command("import_registrants", str(path), "--branch", branch.code)
    with pytest.raises(CommandError, match=r"[\u1780-\u17ff]"):
        call_command("import_registrants", str(path), "--branch", branch.code, "--language", "km")
    assert not IntakeBatch.objects.filter(status=IntakeBatch.Status.VALIDATING).exists()


def test_the_web_and_the_api_show_the_refusal_in_both_languages(
    staff, client, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    branch = staff.role_assignments.get().branch
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/branch/intake/",
            {"branch": branch.pk, "file": SimpleUploadedFile("b.xlsx", past_the_shared_strings())},
        )
    assert response.status_code == 302
    batch = IntakeBatch.objects.get()
    assert batch.status == IntakeBatch.Status.REJECTED
    client.cookies["django_language"] = "en"
    page = client.get(f"/branch/intake/{batch.pk}/").content.decode()
    assert "not a valid Excel workbook" in page
    client.cookies["django_language"] = "km"
    assert escape(batch.error_km) in client.get(f"/branch/intake/{batch.pk}/").content.decode()

    api = client_for(staff)
    for language, text in (("en", batch.error_en), ("km", batch.error_km)):
        answer = api.get(f"/api/v1/intake-batches/{batch.pk}/", HTTP_ACCEPT_LANGUAGE=language)
        assert answer.json()["status"] == "rejected"
        assert answer.json()["error"] == text
