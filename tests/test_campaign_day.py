"""The campaign day (issue 15, "Load"): a bounded burst of registrations on loopback
against the portal as deployed, and the database checked against what the clients sent.

A real gunicorn (the project's onboarding/gunicorn_conf.py, 2 workers × 4 threads) and a
real Celery worker (prefork, every queue) over a private Redis, on the test database.
64 clients, each a branch counter with its own API token and keep-alive connection,
send 2,000 registrations from the bench generator (the realistic mix: a third with a
consent, owners with a business, workers with an employer, some people twice). Some
requests are sent again the way a phone on a bad network does: the same Idempotency-Key
(a retry after a lost answer) or the same form number without a key.

Then: every request was answered, none with a server error; every 201 is exactly one
person, with the registration number it was answered with, complete (history,
consents, work, confirmation SMS); no form number registered twice; the worker ran the
duplicate check and sent the SMS of every one of them; and the portal still answers.

`pytest -m load` runs it alone. It takes about a minute on the 2-core machine; the
figures it prints are not assertions (speed is measured in bench/, RESULTS.md).
"""

import hashlib
import http.client
import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from accounts.models import Role, RoleAssignment, User
from bench.bench_api import ambiguous_villages, payloads
from dedup.models import PersonKeys
from outbox.models import PendingTask
from registry.models import Consent, Person, PersonChange, SmsMessage
from tests.factories import BranchFactory, PartnerFactory
from tests.faults import RedisServer, free_port, service_env, wait_for

pytestmark = pytest.mark.load
ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 64
REGISTRATIONS = 2_000
# Every RETRY_EVERY-th request of a client is sent again with the same Idempotency-Key,
# every RESEND_EVERY-th again with the same form number and no key.
RETRY_EVERY = 7
RESEND_EVERY = 11
PATH = "/api/v1/registrants/"


@pytest.fixture
def redis():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def counters(transactional_geography) -> list[str]:
    """64 branch-staff tokens: 2 partners of 4 branches, 8 counters at each branch."""
    branches = [BranchFactory(partner=partner) for partner in PartnerFactory.create_batch(2)]
    branches += [BranchFactory(partner=b.partner) for b in branches for _ in range(3)]
    tokens = []
    for number in range(CLIENTS):
        # No password (hashing 64 of them is seconds): the counters use their tokens.
        clerk = User.objects.create(username=f"counter-{number}")
        RoleAssignment.objects.create(
            user=clerk, role=Role.BRANCH_STAFF, branch=branches[number % len(branches)]
        )
        tokens.append(Token.objects.create(user=clerk).key)
    return tokens


def _start(command: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def portal(counters, redis, tmp_path):
    """gunicorn and a Celery worker as deployed, on the test database and the private Redis."""
    database = connection.settings_dict
    port = free_port()
    env = service_env(
        DATABASE_URL="postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**database),
        REDIS_URL=redis.url,
        CELERY_TASK_ALWAYS_EAGER="false",
        SMS_BACKEND="registry.sms.OutboxBackend",
        SMS_OUTBOX_PATH=str(tmp_path / "sms-outbox.jsonl"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS="127.0.0.1",
    )
    bin_dir = Path(sys.executable).parent
    worker_log, web_log = tmp_path / "worker.log", tmp_path / "gunicorn.log"
    worker_command = [str(bin_dir / "celery"), "-A", "onboarding", "worker"]
    worker_command += ["-Q", "celery,sms,bulk", "-c", "2", "--without-mingle", "--without-gossip"]
    worker = _start(
        [*worker_command, "-l", "WARNING"],
        env=env,
        log=worker_log,
    )
    web_command = [str(bin_dir / "gunicorn"), "-c", "onboarding/gunicorn_conf.py"]
    web = _start(
        [*web_command, "--threads", "4", "--timeout", "120", "onboarding.wsgi:application"],
        env=env,
        log=web_log,
    )
    try:
        wait_for(lambda: _status(port, "GET", "/healthz") == 200, timeout=90, every=0.3)
        yield port, web_log, worker_log
    finally:
        _stop(web)
        _stop(worker)


def _status(port: int, method: str, path: str) -> int | None:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(method, path)
        return conn.getresponse().status
    except OSError:
        return None


def _client(port: int, token: str, bodies: list[bytes], answers: list, failures: list) -> None:
    """One counter: its share in order on one keep-alive connection, some sent twice."""
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def send(body: bytes, key: str | None) -> None:
        nonlocal conn
        sent = {**headers, "Idempotency-Key": key} if key else headers
        try:
            conn.request("POST", PATH, body=body, headers=sent)
            response = conn.getresponse()
            answers.append((json.loads(body)["reference"], key, response.status, response.read()))
        except (OSError, http.client.HTTPException) as error:
            failures.append(repr(error))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    for number, body in enumerate(bodies, start=1):
        key = hashlib.sha256(body).hexdigest()[:32]
        send(body, key)
        if number % RETRY_EVERY == 0:
            send(body, key)
        if number % RESEND_EVERY == 0:
            send(body, None)
    conn.close()


def test_a_campaign_day_burst_loses_nothing_and_registers_no_one_twice(portal, counters):
    port, web_log, worker_log = portal
    bodies = payloads(REGISTRATIONS, seed=15, prefix="DAY-", skip=ambiguous_villages())
    shares = [bodies[i::CLIENTS] for i in range(CLIENTS)]
    answers: list[tuple[str, str | None, int, bytes]] = []
    failures: list[str] = []
    clients = [
        threading.Thread(target=_client, args=(port, token, share, answers, failures))
        for token, share in zip(counters, shares, strict=True)
    ]
    started = time.monotonic()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    burst = time.monotonic() - started

    # Every request answered, none with an error of the server.
    assert failures == []
    sent = len(bodies) + sum(len(s) // RETRY_EVERY + len(s) // RESEND_EVERY for s in shares)
    assert len(answers) == sent
    statuses = Counter(status for _ref, _key, status, _body in answers)
    assert set(statuses) <= {200, 201}, (statuses, [a for a in answers if a[2] >= 300][:5])

    # Each form number's first request was answered 201; its repeats gave the same
    # record: 201 again, replayed, for the same Idempotency-Key; 200 for the same form
    # number without a key.
    by_reference: dict[str, list[tuple[str | None, int, str]]] = {}
    for reference, key, status, body in answers:
        number = json.loads(body)["registration_number"]
        by_reference.setdefault(reference, []).append((key, status, number))
    assert set(by_reference) == {json.loads(body)["reference"] for body in bodies}
    for reference, seen in by_reference.items():
        assert seen[0][1] == 201, (reference, seen)
        assert len({number for _key, _status, number in seen}) == 1, (reference, seen)
        assert all(status == (201 if key else 200) for key, status, _n in seen), seen
    told = {reference: seen[0][2] for reference, seen in by_reference.items()}

    # The database holds exactly one person per form number, the one the client was told.
    people = Person.objects.filter(reference__startswith="DAY-")
    assert people.count() == len(bodies)
    assert dict(people.values_list("reference", "registration_number")) == told

    # Nothing half-written: each has its history, the consents asked for, their work,
    # and (with a phone) one confirmation SMS.
    sent_bodies = [json.loads(body) for body in bodies]
    registered = PersonChange.objects.filter(
        person__in=people, action=PersonChange.Action.REGISTERED
    )
    assert registered.count() == len(bodies)
    asked = sum(len(body.get("consents", [])) for body in sent_bodies)
    assert Consent.objects.filter(person__in=people).count() == asked
    owners = sum(body["actor_type"] == "microenterprise_owner" for body in sent_bodies)
    assert people.filter(owned_enterprises__isnull=False).distinct().count() == owners
    employed = sum("employer_name" in body for body in sent_bodies)
    assert people.filter(employments__isnull=False).distinct().count() >= employed
    # (With the phone sent: a merge may give a record the phone of its duplicate later.)
    messages = SmsMessage.objects.filter(template="registration_confirmed")
    confirmed = sorted(
        number.replace(" ", "") for number in messages.values_list("params__number", flat=True)
    )
    phoned = sorted(told[body["reference"]] for body in sent_bodies if body.get("phone"))
    assert confirmed == phoned
    assert confirmed
    checked = time.monotonic() - started

    print(f"\nburst {burst:.1f} s, checked after {time.monotonic() - started:.1f} s")
    # The worker catches up: every duplicate check ran, every SMS went, nothing left over.
    wait_for(
        lambda: PersonKeys.objects.filter(person__in=people).count() == len(bodies), timeout=240
    )
    wait_for(lambda: not messages.exclude(status=SmsMessage.Status.SENT).exists(), timeout=240)
    assert not PendingTask.objects.exists()
    drained = time.monotonic() - started

    # The portal recovers: it answers as before the burst.
    assert _status(port, "GET", "/healthz") == 200
    log = web_log.read_text() + worker_log.read_text()
    assert "Traceback" not in log, log[-3000:]
    assert not re.search(r'HTTP/1\.1" 5\d\d ', web_log.read_text())  # no 5xx logged
    merged = people.filter(status=Person.Status.MERGED).count()
    print(
        f"\ncampaign day: {len(answers)} requests from {CLIENTS} clients in {burst:.1f} s "
        f"({len(answers) / burst:.0f}/s), {dict(statuses)}; checked after {checked:.1f} s, "
        f"worker done after {drained:.1f} s; "
        f"{merged} found to be someone already registered and merged"
    )
