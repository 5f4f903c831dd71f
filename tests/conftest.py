import uuid

import pytest

from accounts.models import Role
from geography.models import Village
from geography.services import geography_load
from tests.factories import BranchFactory, user_with_role


@pytest.fixture(autouse=True)
def sms_outbox(settings, tmp_path):
    """Each test its own development SMS outbox file (registry.sms.OutboxBackend)."""
    settings.SMS_BACKEND = "registry.sms.OutboxBackend"
    settings.SMS_OUTBOX_PATH = tmp_path / "sms-outbox.jsonl"
    return settings.SMS_OUTBOX_PATH


@pytest.fixture(autouse=True)
def fresh_throttle_counters(settings):
    """Rate-limit counters of earlier tests and runs (same users' ids, same test client
    address) stay out of this test: the same Redis, under a key prefix of its own."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real gazetteer once into the test database."""
    with django_db_blocker.unblock():
        geography_load()


@pytest.fixture
def geography(db):
    """The gazetteer, reloaded if a transactional test flushed it."""
    if not Village.objects.exists():
        geography_load()


@pytest.fixture
def transactional_geography(transactional_db):
    if not Village.objects.exists():
        geography_load()


@pytest.fixture
def english(client):
    """The test client with English chosen in the language switcher."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def in_english():
    """Messages rendered in English, for tests that read their wording."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def branch(db):
    return BranchFactory()


@pytest.fixture
def clerk(branch):
    """A branch-staff member of `branch`."""
    return user_with_role(Role.BRANCH_STAFF, branch=branch)


# Tests that start services or processes of their own (a Celery worker, private copies
# of Redis and PostgreSQL, gunicorn, pg_dump) run one after another in one process when
# the suite runs in several (pytest-xdist `--dist loadgroup`, scripts/test.sh).
OWN_PROCESSES = (
    "tests/test_celery_worker.py",
    "tests/test_faults.py",
    "tests/test_campaign_day.py",
    "tests/test_outbox.py",
    "tests/test_backup.py",
    "tests/test_log_hygiene.py",
    "tests/test_configuration.py",
    "tests/sharing/test_killed_worker.py",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        if path.startswith(OWN_PROCESSES) or item.get_closest_marker("worker"):
            item.add_marker(pytest.mark.xdist_group("own_processes"))
