"""Schemathesis fuzzes every operation of /api/schema/ against the running app (in
process, over WSGI, on the test database): no answer is a server error, and every answer
(status, headers, content type and body) is one the schema documents; data the schema
forbids is refused.

Run alone with `pytest -m schemathesis`. The number of examples per operation is bounded
(SCHEMATHESIS_EXAMPLES, default 25) so the suite stays quick; raise it for a deeper run:
`SCHEMATHESIS_EXAMPLES=500 pytest -m schemathesis`.

Each example is sent once per entry of AUTHS (a fixture name giving the request
headers): as branch staff with their API token, and as a registrant with the mobile
app's access token, so every operation is fuzzed as both callers.
"""

import os

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Role
from registry.models import PhoneCode
from registry.services.phone_codes import phone_code_send
from registry.services.registrant_tokens import registrant_token_sign_in
from tests.factories import BranchFactory, PersonFactory, user_with_role
from tests.sms import last_code

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Who calls: a name and the fixture giving its request headers.
AUTHS = {"staff": "staff_token_headers", "registrant": "registrant_token_headers"}


@pytest.fixture(autouse=True)
def connection_kept_between_requests(db):
    """As Django's test client does: the requests run inside the test's transaction, so
    the end of a request must not close the connection that holds it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token_headers(db) -> dict[str, str]:
    branch = BranchFactory()
    staff = user_with_role(Role.BRANCH_STAFF, branch=branch)
    PersonFactory(branch=branch)  # something to list, read and change
    token = Token.objects.create(user=staff)
    return {"Authorization": f"Token {token.key}"}


@pytest.fixture
def registrant_token_headers(db) -> dict[str, str]:
    """Signed in as the app is (a code sent to the phone, then tokens), with a record to
    read. Through the services: the test client would reconnect the signals that close
    the test's connection (connection_kept_between_requests)."""
    phone = "+85512345678"
    PersonFactory(phone=phone)
    sent = phone_code_send(phone=phone, purpose=PhoneCode.Purpose.SIGN_IN)
    tokens = registrant_token_sign_in(phone=phone, code_id=sent.pk, code=last_code(phone))
    return {"Authorization": f"Bearer {tokens.access}"}


@pytest.fixture
def callers(request) -> dict[str, dict[str, str]]:
    return {name: request.getfixturevalue(fixture) for name, fixture in AUTHS.items()}


@pytest.fixture(autouse=True)
def no_throttling():
    """The fuzzer sends hundreds of requests a minute; the limits are tested elsewhere."""
    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/min")
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        yield


# Read from the app itself at collection (no database needed to build the schema).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_conforms_to_the_schema(case, callers):
    for _name, headers in callers.items():
        case.call_and_validate(headers=headers, checks=CHECKS)
