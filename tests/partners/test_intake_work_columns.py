"""Bulk intake's optional columns for work, campaigns and per-programme consents: the
same rules as the other channels, every message in Khmer and English."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import Attribution
from partners.models import IntakeBatch, IntakeRow
from partners.services import (
    intake_batch_commit,
    intake_batch_commit_request,
    intake_batch_create,
    intake_batch_validate,
)
from programmes.models import Programme
from registry.models import Consent, Employment, Enterprise, Person, SmsMessage
from registry.regnumber import registration_number_format
from tests.factories import INTAKE_ROW, CampaignFactory, ProgrammeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def upload(staff, rows: list[dict]) -> IntakeBatch:
    columns = list(dict.fromkeys(column for row in rows for column in row))
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=columns, restval="")
    writer.writeheader()
    writer.writerows(rows)
    batch = intake_batch_create(
        branch=staff.role_assignments.get().branch,
        uploaded_by=staff,
        upload=SimpleUploadedFile("rows.csv", stream.getvalue().encode()),
    )
    return intake_batch_validate(batch_id=batch.pk)


def checked(staff, rows) -> dict[int, IntakeRow]:
    batch = upload(staff, rows)
    assert batch.status == IntakeBatch.Status.VALIDATED, batch.error_en
    return {row.row_number: row for row in batch.rows.all()}


def row(n: int, **changes) -> dict:
    return {**INTAKE_ROW, "reference": f"F-{n}", "phone": f"012 345 {600 + n}", **changes}


def commit(staff, batch) -> IntakeBatch:
    intake_batch_commit_request(batch=batch, actor=staff)
    return intake_batch_commit(batch_id=batch.pk)


OWNER = {"actor_type": "microenterprise_owner", "sector": "services"}
WORKER = {"actor_type": "microenterprise_worker", "sector": "services"}
SEASONAL = {"actor_type": "seasonal_worker", "sector": "agriculture"}


def test_owners_workers_and_seasonal_workers_get_their_work(staff):
    rows = [
        row(1, **OWNER, business_name="Sok  Tailors", workers="៣"),
        row(2, **WORKER, employer_name="SOK TAILORS"),
        row(3, **SEASONAL, employer_name="Dara Farm", seasonal_months="១;2, 11"),
        row(4, business_name="ignored for the self-employed"),
    ]
    batch = commit(staff, upload(staff, rows))
    assert batch.committed_rows == 4
    owner, worker, seasonal, other = (Person.objects.get(reference=f"F-{n}") for n in range(1, 5))
    business = Enterprise.objects.get(owner=owner)
    assert (business.name, business.workers, business.village) == ("Sok Tailors", 3, owner.village)
    assert Employment.objects.get(person=owner).role == "owner"
    assert Employment.objects.get(person=worker).enterprise == business
    job = Employment.objects.get(person=seasonal)
    assert (job.enterprise.name, job.role, job.seasonal_months) == (
        "Dara Farm",
        "seasonal",
        [1, 2, 11],
    )
    assert not Employment.objects.filter(person=other).exists()


def test_work_columns_follow_the_rules_of_the_other_channels(staff):
    rows = checked(
        staff,
        [
            row(1, **OWNER, business_name="", workers="2"),
            row(2, **OWNER, business_name="Shop", workers="501"),
            row(3, **WORKER, employer_name=""),
            row(4, **SEASONAL, employer_name="Farm", seasonal_months=""),
            row(5, **SEASONAL, employer_name="Farm", seasonal_months="1;13"),
            row(6, **SEASONAL, employer_name="Farm", seasonal_months="June"),
        ],
    )
    assert rows[2].errors["business_name"]["en"] == ["Enter the name of the person's business."]
    assert rows[2].errors["business_name"]["km"][0] != "Enter the name of the person's business."
    assert rows[3].errors["workers"]["en"] == ["Enter the number of workers, from 0 to 500."]
    assert rows[4].errors["employer_name"]["en"] == ["Enter the name of the person's employer."]
    assert rows[5].errors["seasonal_months"]["en"][0].startswith("Enter the months in which")
    for n in (6, 7):
        assert rows[n].errors["seasonal_months"]["en"] == [
            "Write the months as numbers from 1 to 12 separated by ; (for example 1;2;11)."
        ]
    for intake_row in rows.values():
        for messages in intake_row.errors.values():
            assert messages["km"] and messages["km"] != messages["en"]


def test_without_the_work_columns_owners_are_registered_without_a_business(staff):
    batch = commit(staff, upload(staff, [row(1, **OWNER), row(2, **WORKER)]))
    assert batch.committed_rows == 2
    assert not Enterprise.objects.exists() and not Employment.objects.exists()


def test_a_running_campaign_code_credits_the_registration(staff):
    campaign = CampaignFactory(code="PP-MARKET")
    ended = CampaignFactory(code="OLD", starts_on="2020-01-01", ends_on="2020-12-31")
    batch = upload(
        staff,
        [
            row(1, campaign_code=" pp-market "),
            row(2, campaign_code=""),
            row(3, campaign_code="NOPE"),
            row(4, campaign_code=ended.code),
        ],
    )
    rows = {r.row_number: r for r in batch.rows.all()}
    assert rows[4].errors["campaign_code"]["en"] == [
        "No campaign with the code nope is running today: check the code on the poster, "
        "or leave the cell empty."
    ]
    assert "campaign_code" in rows[5].errors and rows[4].errors["campaign_code"]["km"]
    commit(staff, batch)
    attribution = Attribution.objects.get()
    assert (attribution.person.reference, attribution.campaign) == ("F-1", campaign)


def test_consent_columns_say_yes_or_no_per_programme(staff):
    nssf = ProgrammeFactory(code="nssf")
    training = ProgrammeFactory(code="skills-training")
    batch = upload(
        staff,
        [
            row(1, consent_nssf="yes", consent_skills_training="ចាស", consents="data_sharing"),
            row(2, consent_nssf="No", consent_skills_training=""),
            row(3, consent_nssf="maybe"),
            row(4, consent_nssf="n", consents="nssf"),
        ],
    )
    rows = {r.row_number: r for r in batch.rows.all()}
    assert rows[4].errors["consent_nssf"]["en"] == [
        "Write yes or no (y/n, 1/0, បាទ/ចាស/ទេ), or leave the cell empty."
    ]
    assert rows[5].errors["consent_nssf"]["en"] == [
        "This column says no, but the consents column lists this programme."
    ]
    commit(staff, batch)
    given = {
        reference: set(
            Consent.objects.filter(person__reference=reference).values_list(
                "programme_id", flat=True
            )
        )
        for reference in ("F-1", "F-2")
    }
    assert given == {"F-1": {nssf.pk, training.pk, None}, "F-2": set()}


def test_a_consent_column_for_no_programme_refuses_the_file(staff):
    Programme.objects.exclude(code="nssf").update(is_active=False)
    ProgrammeFactory(code="nssf")
    batch = upload(staff, [row(1, consent_nobody="yes")])
    assert batch.status == IntakeBatch.Status.REJECTED
    assert batch.error_en == (
        "These consent columns name no running programme: consent_nobody. Use consent_ "
        "followed by a programme code: consent_data_sharing, consent_nssf."
    )
    assert batch.error_km and batch.error_km != batch.error_en


def test_committed_rows_get_their_confirmation_sms(staff, django_capture_on_commit_callbacks):
    batch = upload(staff, [row(1), row(2, phone="")])
    with django_capture_on_commit_callbacks(execute=True):
        commit(staff, batch)
    person = Person.objects.get(reference="F-1")
    message = SmsMessage.objects.get()
    assert message.phone == person.phone
    assert message.template == "registration_confirmed"
    assert message.params == {"number": registration_number_format(person.registration_number)}


def test_the_rejected_rows_file_keeps_the_consent_columns(staff):
    from partners.intake import intake_rejected_rows_csv

    ProgrammeFactory(code="nssf")
    batch = upload(staff, [row(1, consent_nssf="maybe", business_name="x")])
    text = intake_rejected_rows_csv(batch=batch, language="en").decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert header[-2:] == ["business_name", "consent_nssf"]
