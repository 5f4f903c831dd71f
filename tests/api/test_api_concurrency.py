"""Concurrent duplicates, on real connections and committed transactions: one effect."""

import threading

import pytest
from django.db import connection

from accounts.models import Role
from registry.models import Person
from tests.api.conftest import client_for, registrant_body
from tests.factories import BranchFactory, user_with_role

URL = "/api/v1/registrants/"


def race(send, clients: int = 6) -> list:
    barrier = threading.Barrier(clients)
    responses: list = [None] * clients

    def worker(index: int) -> None:
        try:
            barrier.wait()
            responses[index] = send()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.mark.usefixtures("transactional_geography")
def test_concurrent_retries_with_one_key_register_once():
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    api = client_for(staff)
    body = registrant_body()
    responses = race(lambda: api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="race"))
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, statuses
    assert 201 in statuses
    created = {r.content for r in responses if r.status_code == 201}
    assert len(created) == 1  # the first answer, and replays of it
    assert Person.objects.count() == 1
    replay = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="race")
    assert replay.status_code == 201
    assert replay.content in created


@pytest.mark.usefixtures("transactional_geography")
def test_concurrent_requests_with_one_reference_register_once():
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    api = client_for(staff)
    responses = race(lambda: api.post(URL, registrant_body(reference="F-RACE"), format="json"))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) == {200, 201}
    assert len({r.json()["registration_number"] for r in responses}) == 1
    assert Person.objects.count() == 1
