"""Bulk intake: committing valid rows in chunks, resumably, never twice."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from partners.intake import commit as intake_commit
from partners.models import IntakeBatch, IntakeRow
from partners.services import (
    intake_batch_commit,
    intake_batch_commit_request,
    intake_batch_create,
    intake_batch_validate,
)
from registry.models import Consent, Person, PersonChange
from registry.regnumber import registration_number_is_valid
from registry.services import registration_many
from registry.services.people import PERSON_FIELDS, person_data_clean
from registry.services.registration import registration_submit
from tests.factories import (
    INTAKE_ROW,
    BranchFactory,
    PersonFactory,
    ProgrammeFactory,
    user_with_role,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

ROW = {
    **INTAKE_ROW,
    "occupation": "",
    "consents": "",
}


def csv_bytes(rows) -> bytes:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=list(ROW))
    writer.writeheader()
    writer.writerows(rows)
    return stream.getvalue().encode()


def people(count: int, start: int = 1, **changes) -> list[dict]:
    return [
        {**ROW, "reference": f"F-{n}", "phone": f"012 {345000 + n}", **changes}
        for n in range(start, start + count)
    ]


def validated(staff, rows) -> IntakeBatch:
    batch = intake_batch_create(
        branch=staff.role_assignments.get().branch,
        uploaded_by=staff,
        upload=SimpleUploadedFile("rows.csv", csv_bytes(rows)),
    )
    return intake_batch_validate(batch_id=batch.pk)


def committed(staff, batch) -> IntakeBatch:
    intake_batch_commit_request(batch=batch, actor=staff)
    return intake_batch_commit(batch_id=batch.pk)


def test_valid_rows_become_registrants_with_provenance(staff):
    branch = staff.role_assignments.get().branch
    batch = validated(staff, [*people(2), {**ROW, "reference": "F-9", "sex": "X"}])
    batch = committed(staff, batch)
    assert batch.status == IntakeBatch.Status.COMMITTED
    assert batch.committed_at is not None and batch.committed_by == staff
    assert (batch.committed_rows, batch.existing_rows, batch.invalid_rows) == (2, 0, 1)
    person = Person.objects.get(reference="F-1")
    assert person.channel == "bulk"
    assert (person.branch, person.partner, person.entered_by) == (branch, branch.partner, staff)
    assert person.name_km == "សុខ ដារា" and person.name_latin == "Sok Dara"
    assert str(person.date_of_birth) == "1990-05-17"
    assert person.village.code == "12010101"
    assert person.status == Person.Status.ACTIVE
    assert registration_number_is_valid(person.registration_number)
    intake_row = batch.rows.get(reference="F-1")
    assert intake_row.status == IntakeRow.Status.COMMITTED
    assert intake_row.person == person
    assert batch.rows.get(reference="F-9").status == IntakeRow.Status.INVALID
    assert Person.objects.count() == 2


def test_history_is_the_same_as_a_single_registration(staff):
    branch = staff.role_assignments.get().branch
    batch = committed(staff, validated(staff, people(1)))
    bulk = PersonChange.objects.get(person__reference="F-1")
    data = person_data_clean(raw={**people(1)[0], "village_code": "12010101"})
    single, _created = registration_submit(
        data=data,
        work=None,
        consents=set(),
        channel="bulk",
        entered_by=staff,
        branch=branch,
        reference="single",
    )
    expected = PersonChange.objects.get(person=single)
    assert bulk.action == PersonChange.Action.REGISTERED
    assert bulk.changes == expected.changes
    assert set(bulk.changes) == set(PERSON_FIELDS)
    assert (bulk.actor, bulk.channel) == (staff, "bulk")
    assert batch.status == IntakeBatch.Status.COMMITTED


def test_consents_are_recorded_with_their_history(staff):
    nssf = ProgrammeFactory(code="nssf")
    rows = [{**people(1)[0], "consents": "nssf;data_sharing"}, *people(1, start=2)]
    committed(staff, validated(staff, rows))
    person = Person.objects.get(reference="F-1")
    consents = Consent.objects.filter(person=person)
    assert {c.programme_id for c in consents} == {nssf.pk, None}
    assert all(c.channel == "bulk" and c.recorded_by == staff for c in consents)
    assert all(c.withdrawn_at is None for c in consents)
    given = PersonChange.objects.filter(person=person, action=PersonChange.Action.CONSENT_GIVEN)
    assert sorted(c.changes["purpose"][1] for c in given) == ["data_sharing", "nssf"]
    assert not Consent.objects.filter(person__reference="F-2").exists()


def test_commit_runs_in_chunks_and_counts_progress(staff, monkeypatch):
    monkeypatch.setattr(intake_commit, "CHUNK_ROWS", 3)
    seen = []
    batch = validated(staff, people(7))
    intake_batch_commit_request(batch=batch, actor=staff)
    batch = intake_batch_commit(
        batch_id=batch.pk, on_progress=lambda done, total: seen.append((done, total))
    )
    assert seen == [(3, 7), (6, 7), (7, 7)]
    assert batch.committed_rows == 7
    assert Person.objects.count() == 7


def test_a_crash_mid_commit_leaves_whole_chunks_and_a_rerun_finishes(staff, monkeypatch):
    monkeypatch.setattr(intake_commit, "CHUNK_ROWS", 3)
    batch = validated(staff, people(8))
    intake_batch_commit_request(batch=batch, actor=staff)
    real_submit = intake_commit.registration_records_submit
    calls = {"n": 0}

    def crash_in_second_chunk(**kwargs):
        outcome = real_submit(**kwargs)  # the second chunk's people are written, then lost
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker lost")
        return outcome

    monkeypatch.setattr(intake_commit, "registration_records_submit", crash_in_second_chunk)
    with pytest.raises(RuntimeError):
        intake_batch_commit(batch_id=batch.pk)
    batch.refresh_from_db()
    # The first chunk is in, the second left no trace, and the batch says how far it got.
    assert batch.status == IntakeBatch.Status.COMMITTING
    assert batch.committed_rows == 3
    assert Person.objects.count() == 3
    assert PersonChange.objects.count() == 3
    assert batch.rows.filter(status=IntakeRow.Status.COMMITTED).count() == 3
    assert batch.rows.filter(status=IntakeRow.Status.VALID).count() == 5

    monkeypatch.setattr(intake_commit, "registration_records_submit", real_submit)
    batch = intake_batch_commit(batch_id=batch.pk)
    assert batch.status == IntakeBatch.Status.COMMITTED
    assert batch.committed_rows == 8
    assert Person.objects.count() == 8
    assert Person.objects.values("reference").distinct().count() == 8
    assert PersonChange.objects.count() == 8
    assert not batch.rows.filter(status=IntakeRow.Status.VALID).exists()


def test_running_the_commit_again_changes_nothing(staff):
    batch = committed(staff, validated(staff, people(3)))
    again = intake_batch_commit(batch_id=batch.pk)
    assert again.status == IntakeBatch.Status.COMMITTED
    assert Person.objects.count() == 3
    assert PersonChange.objects.count() == 3


def test_uploading_the_same_file_twice_changes_nothing(staff):
    rows = people(3)
    first = committed(staff, validated(staff, rows))
    before = list(
        Person.objects.order_by("pk").values_list("pk", "registration_number", "updated_at")
    )
    second = validated(staff, rows)
    assert (second.valid_rows, second.existing_rows) == (0, 3)
    assert {r.person_id for r in second.rows.all()} == {r.person_id for r in first.rows.all()}
    second = committed(staff, second)
    assert second.status == IntakeBatch.Status.COMMITTED
    assert second.committed_rows == 0
    after = list(
        Person.objects.order_by("pk").values_list("pk", "registration_number", "updated_at")
    )
    assert after == before
    assert PersonChange.objects.count() == 3


def test_a_reference_registered_between_check_and_commit_is_reported_existing(staff):
    branch = staff.role_assignments.get().branch
    batch = validated(staff, people(2))
    assert batch.valid_rows == 2
    meanwhile = PersonFactory(partner=branch.partner, branch=branch, reference="F-2")
    batch = committed(staff, batch)
    assert batch.status == IntakeBatch.Status.COMMITTED
    assert (batch.committed_rows, batch.existing_rows) == (1, 1)
    late = batch.rows.get(reference="F-2")
    assert late.status == IntakeRow.Status.EXISTING and late.person == meanwhile
    assert Person.objects.filter(reference="F-2").count() == 1


def test_a_registration_number_clash_is_drawn_again(staff, monkeypatch):
    taken = PersonFactory().registration_number
    numbers = iter([taken, "1000000018"])  # the second is free and valid
    monkeypatch.setattr(registration_many, "registration_number_new", lambda: next(numbers))
    batch = committed(staff, validated(staff, people(1)))
    assert batch.committed_rows == 1
    assert Person.objects.get(reference="F-1").registration_number == "1000000018"


def test_only_a_validated_batch_can_be_committed(staff):
    batch = validated(staff, [{**ROW, "sex": "X"}])
    batch.status = IntakeBatch.Status.VALIDATING
    batch.save()
    with pytest.raises(ValidationError) as caught:
        intake_batch_commit_request(batch=batch, actor=staff)
    assert caught.value.code == "batch_not_validated"
    batch.status = IntakeBatch.Status.VALIDATED
    batch.save()
    batch = committed(staff, batch)  # nothing valid: committed at once, nobody registered
    assert batch.status == IntakeBatch.Status.COMMITTED
    with pytest.raises(ValidationError):
        intake_batch_commit_request(batch=batch, actor=staff)
    assert not Person.objects.exists()


def test_validating_again_starts_over_and_a_checked_batch_is_left_alone(staff):
    batch = validated(staff, people(2))
    IntakeBatch.objects.filter(pk=batch.pk).update(status=IntakeBatch.Status.VALIDATING)
    batch = intake_batch_validate(batch_id=batch.pk)
    assert batch.status == IntakeBatch.Status.VALIDATED
    assert batch.rows.count() == 2 and batch.valid_rows == 2
    committed(staff, batch)
    assert intake_batch_validate(batch_id=batch.pk).status == IntakeBatch.Status.COMMITTED
    assert batch.rows.filter(status=IntakeRow.Status.COMMITTED).count() == 2


def test_upload_through_celery_validates_and_commits(staff, django_capture_on_commit_callbacks):
    branch = staff.role_assignments.get().branch
    with django_capture_on_commit_callbacks(execute=True):
        batch = intake_batch_create(
            branch=branch,
            uploaded_by=staff,
            upload=SimpleUploadedFile("r.csv", csv_bytes(people(2))),
        )
    batch.refresh_from_db()
    assert batch.status == IntakeBatch.Status.VALIDATED
    with django_capture_on_commit_callbacks(execute=True):
        intake_batch_commit_request(batch=batch, actor=staff)
    batch.refresh_from_db()
    assert batch.status == IntakeBatch.Status.COMMITTED
    assert Person.objects.count() == 2


def test_no_enterprise_or_employment_is_created(staff):
    from registry.models import Employment, Enterprise

    committed(staff, validated(staff, people(2, actor_type="microenterprise_owner")))
    assert not Enterprise.objects.exists() and not Employment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_large_files_are_checked_in_processes_and_committed_in_sessions(
    transactional_geography, monkeypatch
):
    """The paths big files take (forked checkers, two committing sessions), on a small file."""
    from partners.intake import validation

    monkeypatch.setattr(validation, "PARALLEL_MIN_ROWS", 10)
    monkeypatch.setattr(validation, "CHUNK_ROWS", 7)
    monkeypatch.setattr(intake_commit, "PARALLEL_MIN_ROWS", 10)
    monkeypatch.setattr(intake_commit, "CHUNK_ROWS", 4)
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    rows = [*people(30), {**ROW, "reference": "F-bad", "sex": "X"}, people(1)[0]]
    batch = validated(staff, rows)
    assert (batch.valid_rows, batch.invalid_rows) == (30, 2)
    assert batch.rows.count() == 32
    assert (
        batch.rows.get(row_number=33)
        .errors["reference"]["en"][0]
        .startswith("This reference is repeated")
    )
    batch = committed(staff, batch)
    assert batch.status == IntakeBatch.Status.COMMITTED
    assert batch.committed_rows == 30
    assert Person.objects.count() == 30
    assert Person.objects.values("reference").distinct().count() == 30
    assert PersonChange.objects.count() == 30
    assert set(batch.rows.values_list("status", flat=True)) == {"committed", "invalid"}
    assert not batch.rows.filter(status="committed", person=None).exists()
