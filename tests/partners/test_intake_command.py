"""manage.py import_registrants: the bulk intake from the command line."""

import codecs
import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from partners.models import IntakeBatch
from registry.models import Person
from tests.factories import INTAKE_ROW, BranchFactory, UserFactory

pytestmark = pytest.mark.django_db

ROW = dict(INTAKE_ROW)


def write_csv(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ROW))
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_registrants", *[str(a) for a in args], stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def rows():
    return [ROW, {**ROW, "reference": "F-2", "phone": ""}, {**ROW, "reference": "F-3", "sex": "X"}]


def test_import_prints_a_summary_and_writes_rejected_rows_beside_the_file(tmp_path, rows):
    branch = BranchFactory()
    path = write_csv(tmp_path / "march.csv", rows)
    out = run(path, "--branch", branch.code)
    assert "Registered: 2" in out
    assert "Already registered: 0" in out
    assert "Rejected: 1" in out
    rejected = tmp_path / "march.rejected.csv"
    assert f"Rejected rows with reasons: {rejected}" in out
    data = rejected.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    lines = list(csv.DictReader(io.StringIO(data[3:].decode())))
    assert [(line["row"], line["reference"]) for line in lines] == [("4", "F-3")]
    assert lines[0]["errors"] == "sex: Choose F (female) or M (male)."
    people = Person.objects.filter(branch=branch)
    assert people.count() == 2
    assert {p.channel for p in people} == {"bulk"}
    assert IntakeBatch.objects.get().status == IntakeBatch.Status.COMMITTED


def test_running_it_again_registers_nobody_twice(tmp_path, rows):
    branch = BranchFactory()
    path = write_csv(tmp_path / "march.csv", rows)
    run(path, "--branch", branch.code)
    out = run(path, "--branch", branch.code)
    assert "Registered: 0" in out
    assert "Already registered: 2" in out
    assert "Rejected: 1" in out
    assert Person.objects.count() == 2


def test_reasons_in_khmer_on_request(tmp_path, rows):
    branch = BranchFactory()
    path = write_csv(tmp_path / "march.csv", rows)
    run(path, "--branch", branch.code, "--language", "km")
    text = (tmp_path / "march.rejected.csv").read_text(encoding="utf-8-sig")
    line = next(csv.DictReader(io.StringIO(text)))
    assert line["errors"].startswith("sex: ")
    assert "Choose F" not in line["errors"]


def test_the_only_branch_is_used_without_branch(tmp_path, rows):
    branch = BranchFactory()
    user = UserFactory(username="clerk")
    out = run(write_csv(tmp_path / "a.csv", rows), "--user", "clerk")
    assert "Registered: 2" in out
    assert {(p.branch, p.entered_by) for p in Person.objects.all()} == {(branch, user)}


def test_more_than_one_branch_needs_branch(tmp_path, rows):
    BranchFactory()
    BranchFactory()
    with pytest.raises(CommandError, match="--branch"):
        run(write_csv(tmp_path / "a.csv", rows))
    assert not Person.objects.exists()


def test_unknown_branch_is_an_error(tmp_path, rows):
    BranchFactory()
    with pytest.raises(CommandError, match="Unknown branch 'nowhere'"):
        run(write_csv(tmp_path / "a.csv", rows), "--branch", "nowhere")


def test_a_file_that_cannot_be_read_is_an_error(tmp_path):
    branch = BranchFactory()
    path = tmp_path / "legacy.csv"
    path.write_bytes("reference,name_km\r\nF-1,Sok Dará\r\n".encode("utf-16"))
    with pytest.raises(CommandError, match="UTF-16"):
        run(path, "--branch", branch.code)
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "missing.csv", "--branch", branch.code)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        run(empty, "--branch", branch.code)
    assert not Person.objects.exists()
    assert not (tmp_path / "legacy.rejected.csv").exists()


@pytest.mark.django_db(transaction=True)
def test_exit_status_from_the_command_line(tmp_path, rows, transactional_geography):
    """Through manage.py itself: 0 when the file was read (rows rejected or not), 1 when
    the file could not be read or the branch is unknown."""
    import os
    import subprocess
    import sys

    from django.db import connection

    branch = BranchFactory()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }

    def manage(*args):
        command = [sys.executable, "manage.py", "import_registrants", *map(str, args)]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=False)

    good = manage(write_csv(tmp_path / "a.csv", rows), "--branch", branch.code)
    assert good.returncode == 0, good.stderr
    assert "Registered: 2" in good.stdout and "Rejected: 1" in good.stdout
    bad = tmp_path / "bad.csv"
    bad.write_bytes("reference\r\nF-1\r\n".encode("utf-16"))
    refused = manage(bad, "--branch", branch.code)
    assert refused.returncode == 1
    assert "UTF-16" in refused.stderr
    assert manage(tmp_path / "a.csv", "--branch", "nowhere").returncode == 1


def test_the_command_commits_itself_and_hands_nothing_to_a_worker(
    tmp_path, rows, django_capture_on_commit_callbacks
):
    # A worker given the batch too would take the commit's lock first, and the command
    # would print "Registered: 0" for a file that is being registered (issue 15).
    branch = BranchFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        out = run(write_csv(tmp_path / "april.csv", rows), "--branch", branch.code)
    queued = {getattr(callback, "task_name", None) for callback in callbacks}
    assert "partners.tasks.intake_commit" not in queued
    assert "partners.tasks.intake_validate" not in queued
    assert "Registered: 2" in out
    assert IntakeBatch.objects.get().status == IntakeBatch.Status.COMMITTED
