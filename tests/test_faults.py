"""Faults, each really caused: Redis stopped while people register, a Celery worker
process killed in the middle of a task, PostgreSQL restarted under a running portal.

`pytest -m fault` runs these alone. The services stopped are private ones (tests/faults.py):
the machine's Redis and PostgreSQL serve other test runs at the same time.
"""

import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from accounts.models import Role
from dedup.models import PersonKeys
from onboarding.celery import app
from outbox.models import PendingTask
from outbox.tasks import outbox_drain
from registry.models import Person, SmsMessage
from registry.services.sms import sms_queue
from tests.api.conftest import client_for, registrant_body
from tests.factories import BranchFactory, user_with_role
from tests.faults import (
    PostgresServer,
    RedisServer,
    broker_switch,
    child_pids,
    free_port,
    service_env,
    wait_for,
)

pytestmark = pytest.mark.fault
ROOT = Path(__file__).resolve().parent.parent
QUEUES = ["celery", "sms", "bulk"]


@pytest.fixture
def redis():
    server = RedisServer()
    server.start()
    url, eager = broker_switch(server.url)
    try:
        yield server
    finally:
        broker_switch(url, eager=eager)
        server.stop()


def test_registrations_while_redis_is_down_are_checked_and_confirmed_when_it_returns(
    transactional_geography, redis
):
    clerk = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    api = client_for(clerk)
    same = {"national_id": "100200300", "phone": "097 555 1234"}
    redis.stop()
    answers = [
        api.post("/api/v1/registrants/", registrant_body(reference=ref, **same))
        for ref in ("R-1", "R-2")
    ]
    other = {"name_km": "កែវ មុន្នី", "name_latin": "Keo Monny", "phone": "012 888 999"}
    answers.append(api.post("/api/v1/registrants/", registrant_body(reference="R-3", **other)))
    assert [a.status_code for a in answers] == [201, 201, 201]
    people = Person.objects.filter(reference__in=["R-1", "R-2", "R-3"])
    assert people.count() == 3  # saved, though nothing could be queued
    assert not PersonKeys.objects.filter(person__in=people).exists()
    assert SmsMessage.objects.filter(status=SmsMessage.Status.PENDING).count() == 3
    kept = set(PendingTask.objects.values_list("task_name", flat=True))
    # One task per registration carries both its confirmation SMS and its duplicate check.
    assert kept == {"dedup.tasks.person_registered"}
    assert PendingTask.objects.count() == 3

    redis.start()
    with start_worker(app, pool="solo", perform_ping_check=False, queues=QUEUES):
        outbox_drain.delay()  # what beat sends every minute
        wait_for(lambda: not PendingTask.objects.exists(), timeout=60)
        wait_for(
            lambda: not SmsMessage.objects.exclude(status=SmsMessage.Status.SENT).exists(),
            timeout=60,
        )
        wait_for(lambda: PersonKeys.objects.filter(person__in=people).count() == 3, timeout=60)
        # The two identical registrations were found to be one person.
        wait_for(lambda: people.filter(status=Person.Status.MERGED).count() == 1, timeout=60)
    assert SmsMessage.objects.filter(attempts=1).count() == 3


class HangingGateway(BaseHTTPRequestHandler):
    """An SMS gateway whose first request never gets an answer (the worker dies on it)."""

    received: list[bytes] = []
    first_arrived = threading.Event()
    release = threading.Event()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(body)
        if len(self.received) == 1:
            type(self).first_arrived.set()
            type(self).release.wait(30)
            return
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    HangingGateway.received = []
    HangingGateway.first_arrived.clear()
    HangingGateway.release.clear()
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), HangingGateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    HangingGateway.release.set()
    server.shutdown()


@pytest.fixture
def worker_process(transactional_db, redis, gateway, tmp_path):
    """`celery worker` as deployed (prefork, one process) on the SMS queue, in the test DB."""
    log = (tmp_path / "worker.log").open("w")
    env = service_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}",
        REDIS_URL=redis.url,
        CELERY_TASK_ALWAYS_EAGER="false",
        SMS_BACKEND="registry.sms.HttpGatewayBackend",
        SMS_GATEWAY_URL=gateway,
    )
    command = [sys.executable, "-m", "celery", "-A", "onboarding", "worker", "-Q", "sms"]
    command += ["-c", "1", "-P", "prefork", "--without-mingle", "--without-gossip", "-l", "INFO"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        wait_for(lambda: "ready" in (tmp_path / "worker.log").read_text(), timeout=90)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_worker_process_killed_mid_task_has_the_task_run_again_once(worker_process):
    message = sms_queue(
        phone="+85512345678", template="registration_confirmed", params={"number": "4456138538"}
    )
    assert HangingGateway.first_arrived.wait(60), "the worker never started the task"
    (child,) = child_pids(worker_process.pid)
    os.kill(child, signal.SIGKILL)  # as the kernel's OOM killer would

    def sent():
        message.refresh_from_db()
        return message.status == SmsMessage.Status.SENT

    wait_for(sent, timeout=90)
    # Delivered again to a new process (acks_late, reject_on_worker_lost); the killed
    # attempt's transaction rolled back, so the record says one attempt, one send.
    assert message.attempts == 1
    assert len(HangingGateway.received) == 2
    assert HangingGateway.received[0] == HangingGateway.received[1]
    assert worker_process.poll() is None  # the worker itself carried on


def test_long_work_and_text_messages_go_to_separate_queues():
    route = app.amqp.router.route
    assert route({}, "registry.tasks.sms_deliver")["queue"].name == "sms"
    for name in ("dedup.tasks.dedup_batch_run", "dedup.tasks.dedup_people"):
        assert route({}, name)["queue"].name == "bulk"
    for name in ("partners.tasks.intake_commit", "partners.tasks.intake_validate"):
        assert route({}, name)["queue"].name == "bulk"
    assert route({}, "dedup.tasks.dedup_person")["queue"].name == "celery"
    assert route({}, "dedup.tasks.person_registered")["queue"].name == "celery"
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  # our test server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def postgres():
    server = PostgresServer()
    server.start()
    yield server
    server.remove()


def test_the_portal_recovers_from_a_postgresql_restart_without_a_restart(postgres, tmp_path):
    port = free_port()
    env = service_env(DATABASE_URL=postgres.url, REDIS_URL="", ALLOWED_HOSTS="127.0.0.1")
    log = (tmp_path / "gunicorn.log").open("w")
    command = [str(Path(sys.executable).parent / "gunicorn"), "onboarding.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"]
    portal = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        wait_for(lambda: _connects(url), timeout=90)
        assert _get(url) == 200
        (worker,) = child_pids(portal.pid)

        # Restarted between two requests: the kept connection is dead, the next request
        # notices (CONN_HEALTH_CHECKS) and opens another.
        postgres.stop()
        postgres.start()
        assert _get(url) == 200

        # Down during a request: a clear 503, then 200 once it is back.
        postgres.stop()
        assert _get(url) == 503
        postgres.start()
        assert _get(url) == 200
        assert child_pids(portal.pid) == [worker]  # the same process throughout
    finally:
        portal.terminate()
        portal.wait(20)


def _connects(url: str) -> bool:
    try:
        _get(url)
    except OSError:
        return False
    return True


@pytest.fixture
def redis_cache(settings):
    """The rate-limit counters in a private Redis that the test stops and starts."""
    server = RedisServer()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "fault",
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        }
    }
    try:
        yield server
    finally:
        server.stop()


def test_rate_limits_fail_open_while_redis_is_down_and_count_again_when_it_returns(
    geography, redis_cache, settings, client, caplog
):
    rates = {"anon": "2/min", "user": "2/min", "registrant_create": "2/min"}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }
    settings.VERIFY_RATE_LIMIT = "2/min"
    api = client_for(user_with_role(Role.BRANCH_STAFF, branch=BranchFactory()))

    def answers(reference_prefix: str) -> dict[str, list[int]]:
        creates = [
            api.post(
                "/api/v1/registrants/",
                registrant_body(reference=f"{reference_prefix}-{n}", phone=f"012 555 00{n}"),
            ).status_code
            for n in range(3)
        ]
        return {
            "create": creates,
            "list": [api.get("/api/v1/registrants/").status_code for _ in range(3)],
            "anonymous": [client.get("/api/schema/").status_code for _ in range(3)],
            "verify": [client.get("/verify/1234567890/").status_code for _ in range(3)],
        }

    # Counted while Redis answers: the third of each is refused.
    up = answers("UP")
    assert up["create"] == [201, 201, 429]
    assert up["list"] == [200, 200, 429]
    assert up["anonymous"] == [200, 200, 429]
    assert up["verify"][2] == 429

    # Redis really stopped: every request is served (fail open), none is a 500.
    redis_cache.stop()
    caplog.clear()
    down = answers("DOWN")
    assert down["create"] == [201, 201, 201]
    assert down["list"] == [200, 200, 200]
    assert down["anonymous"] == [200, 200, 200]
    assert 429 not in down["verify"] and 500 not in down["verify"]
    assert Person.objects.filter(reference__startswith="DOWN-").count() == 3
    assert "Rate-limit counter unavailable" in caplog.text

    # Back: counting starts again (the counters were lost with the server's memory).
    redis_cache.start()
    again = answers("AGAIN")
    assert again["create"] == [201, 201, 429]
    assert again["list"] == [200, 200, 429]
