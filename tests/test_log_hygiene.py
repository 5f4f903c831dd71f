"""No personal data in logs: gunicorn's access log, the application's own log lines at
DEBUG over the main journeys, and an intake file that breaks the checking."""

import logging
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from onboarding.log_privacy import request_line_redact, url_redact
from partners.models import IntakeBatch
from partners.services import intake_batch_create, intake_batch_validate
from tests.api.conftest import client_for
from tests.factories import BranchFactory, CampaignFactory, ProgrammeFactory, user_with_role
from tests.registry.test_channel_equivalence import APPLICANT, CAMPAIGN, CHANNELS, PROFILES

ROOT = Path(__file__).resolve().parent.parent


def test_urls_lose_query_strings_and_person_segments():
    assert url_redact("/branch/?q=Chan+Sophea") == "/branch/?…"
    assert url_redact("/verify/1234567890/") == "/verify/…/"
    assert url_redact("/verify/123%20456%207890/") == "/verify/…/"
    assert url_redact("/me/%E1%9F%A1%E1%9F%A2%E1%9F%A3%E1%9F%A4%E1%9F%A5/card.pdf") == (
        "/me/…/card.pdf"
    )
    assert url_redact("/api/v1/registrants/%E1%9E%9F%E1%9E%BB%E1%9E%81/") == (
        "/api/v1/registrants/…/"
    )
    # What operations need stays: routes and short ids.
    assert url_redact("/branch/intake/42/progress/") == "/branch/intake/42/progress/"
    assert (
        url_redact("https://portal.gov.kh/branch/?q=012345678") == "https://portal.gov.kh/branch/?…"
    )
    assert (
        request_line_redact("GET /verify/?number=1234567890 HTTP/1.1") == "GET /verify/?… HTTP/1.1"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_gunicorn_access_log_holds_no_query_string_or_registration_number():
    """The real gunicorn, started with the project's onboarding/gunicorn_conf.py."""
    port = _free_port()
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**database),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "onboarding/gunicorn_conf.py",
            "onboarding.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    paths = [
        "/branch/?q=Chan%20Sophea%20012345678",
        "/verify/1234567890/",
        "/verify/?number=9876543210",
        "/api/v1/registrants/1234567891/",
        "/api/v1/registrants/?q=010203040",
    ]
    try:
        deadline = time.monotonic() + 60
        for path in paths:
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10)
                    break
                except urllib.error.HTTPError:
                    break  # an answer: logged like any other
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise
                    time.sleep(0.3)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    access = [line for line in output.splitlines() if '"GET ' in line]
    assert len(access) >= len(paths), output
    logged = "\n".join(access)
    for secret in ("Chan", "Sophea", "012345678", "1234567890", "9876543210", "1234567891"):
        assert secret not in logged, logged
    assert "010203040" not in logged
    assert '"GET /branch/?… HTTP/1.1"' in logged
    assert '"GET /verify/…/ HTTP/1.1"' in logged


def _personal_values(person) -> set[str]:
    number = person.registration_number
    phone = person.phone.as_e164 if hasattr(person.phone, "as_e164") else str(person.phone)
    return {
        APPLICANT["name_km"],
        APPLICANT["name_latin"],
        *APPLICANT["name_latin"].split(),
        APPLICANT["national_id"],
        "012 345 678",
        "012345678",
        phone,
        phone.lstrip("+"),
        number,
        f"{number[:3]} {number[3:6]} {number[6:]}",
    }


@pytest.mark.django_db
def test_the_main_journeys_log_no_personal_data_at_debug(client, caplog, english):
    ProgrammeFactory(code="nssf")
    CampaignFactory(code=CAMPAIGN)
    secrets: set[str] = set()
    with caplog.at_level(logging.DEBUG):
        for register in CHANNELS.values():
            person = register(client, PROFILES["owner"])
            secrets |= _personal_values(person)
            number = person.registration_number
            # Look-ups staff and the public make with those values.
            client.get(f"/verify/{number}/")
            staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
            client.force_login(staff)
            client.get("/branch/", {"q": APPLICANT["name_latin"]})
            client.get(f"/branch/applicants/{number}/")
            client.logout()
            api = client_for(staff)
            api.get("/api/v1/registrants/", {"q": APPLICANT["national_id"]})
            api.get(f"/api/v1/registrants/{number}/")
    assert caplog.records, "nothing was logged at all: the capture is not working"
    logged = caplog.text  # every record formatted, tracebacks included
    leaked = sorted(secret for secret in secrets if secret and secret in logged)
    assert leaked == [], leaked


@pytest.mark.django_db
def test_an_intake_file_that_breaks_the_checking_logs_no_row(caplog, monkeypatch):
    """The NUL path once logged PostgreSQL's COPY error, which quotes the row."""
    from partners.intake import validation

    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    content = (
        "reference,name_km,name_latin,sex,date_of_birth,national_id,phone,village_code,"
        "actor_type,sector\nF-1,សុខ ដារ៉ា,Sok Dara,F,1990-05-17,010203040,012345678,"
        "12010101,self_employed,services\n"
    )
    batch = intake_batch_create(
        branch=staff.role_assignments.get().branch,
        uploaded_by=staff,
        upload=SimpleUploadedFile("people.csv", content.encode()),
        enqueue_validation=False,
    )

    def copy_refuses(rows, context):
        raise ValueError("COPY partners_intakerow, line 1: Sok Dara 012345678 010203040")

    monkeypatch.setattr(validation, "chunk_check", copy_refuses)
    with caplog.at_level(logging.DEBUG):
        batch = intake_batch_validate(batch_id=batch.pk)
    assert batch.status == IntakeBatch.Status.REJECTED
    assert batch.error_en and batch.error_km
    logged = caplog.text
    assert "ValueError" in logged
    for secret in ("Sok Dara", "012345678", "010203040"):
        assert secret not in logged


@pytest.mark.django_db
def test_failed_and_locked_sign_ins_log_no_username_or_address(client, caplog):
    user = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    with caplog.at_level(logging.DEBUG):
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            client.post(
                "/accounts/login/",
                {"username": user.username, "password": "wrong"},
                REMOTE_ADDR="198.51.100.77",
            )
    assert "AXES" in caplog.text  # the failures were logged ...
    assert user.username not in caplog.text  # ... naming neither who ...
    assert "198.51.100.77" not in caplog.text  # ... nor from where
