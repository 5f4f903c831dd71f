"""manage.py import_registrants PATH [--branch CODE] [--language en|km] [--user USERNAME]

Registers the rows of a bulk-intake file (CSV UTF-8 or XLSX, the template of DESIGN.md)
the way an upload at /branch/ does, but in this process: stores the file as a batch,
checks every row, registers the valid ones, prints a summary and writes the rejected
rows with their reasons beside the file as <stem>.rejected.csv. Exit status 0 when the
file was read (even if rows were rejected); an error when it could not be read or the
branch is unknown. Running it again on the same file registers nobody twice.
"""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import override
from tqdm import tqdm

from partners.intake import intake_rejected_rows_write
from partners.models import Branch, IntakeBatch
from partners.services import (
    intake_batch_commit,
    intake_batch_commit_request,
    intake_batch_create,
    intake_batch_validate,
)

# The account recorded as having entered people imported from the command line when
# --user is not given; it cannot sign in.
COMMAND_USERNAME = "import_registrants"


class Command(BaseCommand):
    help = "Register the people of a bulk-intake file (CSV UTF-8 or XLSX) for a branch."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the CSV or XLSX file")
        parser.add_argument(
            "--branch", help="branch code (needed when more than one branch exists)"
        )
        parser.add_argument(
            "--language",
            choices=["en", "km"],
            default="en",
            help="language of the reasons in the rejected-rows file (default en)",
        )
        parser.add_argument(
            "--user",
            help=f"username recorded as having entered the people (default {COMMAND_USERNAME})",
        )

    def handle(self, *args, path: Path, branch: str | None, language: str, user, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        branch_obj = _branch(branch)
        uploader = _user(user)
        try:
            with path.open("rb") as handle:
                batch = intake_batch_create(
                    branch=branch_obj,
                    uploaded_by=uploader,
                    upload=File(handle, name=path.name),
                    enqueue_validation=False,
                )
        except ValidationError as error:
            raise CommandError(f"{path}: {_english(error)}") from None

        with _bar("checking", options["verbosity"]) as bar:
            batch = intake_batch_validate(batch_id=batch.pk, on_progress=_advance(bar))
        if batch.status == IntakeBatch.Status.REJECTED:
            reason = batch.error_km if language == "km" else batch.error_en
            raise CommandError(f"{path}: file refused: {reason}")
        if batch.status == IntakeBatch.Status.VALIDATED:
            # Committed here, in this process: a worker given the same batch would take
            # the commit's lock first and leave this command nothing true to report.
            batch = intake_batch_commit_request(batch=batch, actor=uploader, enqueue=False)
        with _bar("registering", options["verbosity"]) as bar:
            batch = intake_batch_commit(batch_id=batch.pk, on_progress=_advance(bar))

        rejected_path = path.with_name(f"{path.stem}.rejected.csv")
        with rejected_path.open("w", encoding="utf-8", newline="") as stream:
            intake_rejected_rows_write(batch=batch, language=language, stream=stream)

        write = self.stdout.write
        write(f"File: {path} ({batch.total_rows} rows, batch {batch.pk})")
        write(f"Registered: {batch.committed_rows}")
        write(f"Already registered: {batch.existing_rows}")
        write(f"Rejected: {batch.invalid_rows}")
        if batch.invalid_rows:
            write(f"Rejected rows with reasons: {rejected_path}")
        if batch.status != IntakeBatch.Status.COMMITTED:
            # Another process holds the batch; say so rather than claim it is done.
            write(f"Batch status: {batch.status}")


def _branch(code: str | None) -> Branch:
    if code:
        try:
            return Branch.objects.select_related("partner").get(code=code)
        except Branch.DoesNotExist:
            raise CommandError(f"Unknown branch {code!r}.") from None
    branches = list(Branch.objects.select_related("partner")[:2])
    if len(branches) == 1:
        return branches[0]
    if not branches:
        raise CommandError("There is no branch yet: create one in /admin/ first.")
    raise CommandError("More than one branch exists: say which with --branch CODE.")


def _user(username: str | None):
    users = get_user_model()
    if username:
        try:
            return users.objects.get(username=username)
        except users.DoesNotExist:
            raise CommandError(f"Unknown user {username!r}.") from None
    user, created = users.objects.get_or_create(
        username=COMMAND_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _english(error: ValidationError) -> str:
    with override("en"):
        return " ".join(error.messages)


def _bar(description: str, verbosity: int):
    # On stderr, and only on a terminal (disable=None), so redirected output stays clean.
    return tqdm(
        desc=description,
        unit="rows",
        file=sys.stderr,
        disable=None if verbosity else True,
        leave=False,
    )


def _advance(bar):
    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return update
