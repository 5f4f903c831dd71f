"""A backup made by scripts/backup.sh and restored by scripts/restore.sh keeps every row
of every table (records, consents, history, audit) and every uploaded file."""

import subprocess
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from accounts.models import Role
from audit.models import ReadKind
from audit.services import person_reads_record
from partners.services import intake_batch_create
from registry.api.serializers import DATA_SHARING
from registry.models import Consent, Person, PersonChange
from tests.api.conftest import client_for, registrant_body
from tests.factories import BranchFactory, user_with_role

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def _url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def _fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of every row in order)} for every table of the public schema."""
    with psycopg.connect(url, autocommit=True) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        found = {}
        for table in tables:
            query = f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"  # noqa: S608  # names from pg_tables
            rows, digest = db.execute(query).fetchone()  # type: ignore[misc]
            found[table] = (rows, digest)
    return found


@pytest.fixture
def restore_db():
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(_url("postgres"), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_url("postgres"), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_keeps_every_row_and_file(
    transactional_geography, restore_db, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    branch = BranchFactory()
    clerk = user_with_role(Role.BRANCH_STAFF, branch=branch)
    api = client_for(clerk)
    for n in range(3):
        body = registrant_body(reference=f"B-{n}", phone=f"097 777 10{n}0", consents=[DATA_SHARING])
        assert api.post("/api/v1/registrants/", body).status_code == 201
    people = list(Person.objects.values_list("pk", flat=True))
    person_reads_record(user=clerk, person_ids=people, kind=ReadKind.API_LIST)
    intake_batch_create(
        branch=branch,
        uploaded_by=clerk,
        upload=ContentFile(b"reference,name_km\nF-1,x\n", name="people.csv"),
        enqueue_validation=False,
    )
    assert Consent.objects.count() >= 3 and PersonChange.objects.count() >= 3

    source = _url(connection.settings_dict["NAME"])
    env = {"PATH": "/usr/bin:/bin", "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    backup = tmp_path / "backup"
    subprocess.run(
        ["bash", ROOT / "scripts/backup.sh", backup],
        env={**env, "DATABASE_URL": source},
        check=True,
        capture_output=True,
    )
    restored_media = tmp_path / "restored-media"
    subprocess.run(
        ["bash", ROOT / "scripts/restore.sh", backup],
        env={**env, "DATABASE_URL": _url(restore_db), "MEDIA_ROOT": str(restored_media)},
        check=True,
        capture_output=True,
    )

    before, after = _fingerprints(source), _fingerprints(_url(restore_db))
    assert before == after
    for table in ("registry_person", "registry_consent", "registry_personchange"):
        assert before[table][0] >= 3
    assert before["audit_personread"][0] == len(people)
    files = sorted(p.relative_to(settings.MEDIA_ROOT) for p in settings.MEDIA_ROOT.rglob("*.csv"))
    assert files and files == sorted(
        p.relative_to(restored_media) for p in restored_media.rglob("*.csv")
    )
    # The restored audit is as append-only as the original.
    with psycopg.connect(_url(restore_db), autocommit=True) as db, pytest.raises(psycopg.Error):
        db.execute("DELETE FROM audit_personread")


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path, restore_db):
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "database.dump").write_bytes(b"not a dump")
    (backup / "media.tar.gz").write_bytes(b"")
    (backup / "SHA256SUMS").write_text("0" * 64 + "  database.dump\n")
    result = subprocess.run(
        ["bash", ROOT / "scripts/restore.sh", backup],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": _url(restore_db)},
        capture_output=True,
        check=False,
    )
    assert result.returncode != 0
    with psycopg.connect(_url(restore_db), autocommit=True) as db:
        assert db.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)
