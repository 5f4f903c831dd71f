"""Every URL pattern and every API operation, against every role, a visitor and a
registrant, with records inside and outside each one's scope.

The pages come from the URL resolver and the operations from the OpenAPI schema, so a
new endpoint is in the test the day it is added; without a line in
tests/permission_matrix.py it fails the test until someone says who may open it.
On the API every caller is tried with its own credential: staff with their token, the
registrant with a registrant API Bearer token, and a programme's system with its key.
A leak is any answer that is not a refusal (401, 403, 404, 405, or a redirect to a
sign-in page) where the table says the subject has no access, or the record is outside
the subject's scope, and any page or answer that names the record outside the scope
(lists, searches); an allowed subject must get its page (no refusal, no server error).
"""

import datetime
import hashlib
import re
import uuid
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import Role
from campaigns.models import Event
from dedup.models import DedupRun, DuplicateCase
from dedup.services.merge import person_merge
from geography.models import Village
from partners.models import IntakeBatch
from registry.card import card_token
from registry.regnumber import registration_number_display
from registry.views.registrant_auth import PHONE_KEY, SINCE_KEY
from sharing.exports.runner import exports_root
from sharing.models import ExportJob, ExportSchedule
from sharing.tokens import programme_token_rotate
from tests.api.conftest import client_for
from tests.factories import (
    BranchFactory,
    CampaignFactory,
    PersonFactory,
    ProgrammeFactory,
    user_with_role,
)
from tests.permission_matrix import (
    ADMIN,
    ANONYMOUS,
    API,
    API_EVERYONE,
    EVERYONE,
    NATIONAL,
    PAGES,
    PROGRAMME_KEY,
    REGISTRANT,
    ROLES,
    Rule,
)
from tests.sms import last_code

pytestmark = pytest.mark.django_db
SUBJECTS = sorted(ROLES | {ANONYMOUS, REGISTRANT})
# The API has one caller more: a programme's system with its key.
API_SUBJECTS = [*SUBJECTS, PROGRAMME_KEY]
SIGN_IN_PAGES = ("/accounts/login/", "/admin/login/", "/me/")
REFUSED = {401, 403, 404, 405}
API_NAMESPACE = re.compile(r"^v\d+:")


def url_names() -> dict[str, tuple[str, ...]]:
    """{namespaced URL name: its argument names} of every pattern the resolver knows."""
    found: dict[str, tuple[str, ...]] = {}

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                name = (
                    ":".join(filter(None, [namespace, pattern.name or ""])) if pattern.name else ""
                )
                found[name] = tuple(pattern.pattern.regex.groupindex)

    walk(get_resolver().url_patterns, "")
    return found


def api_operations() -> list[tuple[str, str, str, dict[str, str]]]:
    """(method, path template, operationId, required query) of every schema operation."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path, operation["operationId"], _required_query(operation))
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


# Values for the query parameters an operation requires (a province's districts...).
QUERY_VALUES = {"province": "12", "district": "1201", "commune": "120101"}


def _required_query(operation: dict) -> dict[str, str]:
    required = [
        p["name"]
        for p in operation.get("parameters", [])
        if p.get("in") == "query" and p.get("required")
    ]
    missing = [name for name in required if name not in QUERY_VALUES]
    assert not missing, f"give {missing} a value in QUERY_VALUES"
    return {name: QUERY_VALUES[name] for name in required}


@dataclass
class World:
    clients: dict[str, Client]
    api_clients: dict[str, APIClient]
    inside: dict[str, object]  # target → a record inside the scoped subjects' scope
    outside: dict[str, object]


def registrant_api_client(phone: str, national: str) -> APIClient:
    """Signed in to the registrant API as the app does: a phone code, then a token."""
    api = APIClient()
    sent = api.post("/api/v1/registrant/code/", {"phone": national}, format="json")
    assert sent.status_code == 202, sent.content
    body = {"phone": national, "code": last_code(phone), "challenge": sent.json()["challenge"]}
    answer = api.post("/api/v1/registrant/token/", body, format="json")
    assert answer.status_code == 201, answer.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.json()['access_token']}")
    return client


def export_job(programme, user) -> ExportJob:
    """A finished export of `programme`, its file on the disk."""
    content = b"registration_number\r\n"
    name = f"{programme.code}/matrix.csv"
    path = exports_root() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return ExportJob.objects.create(
        programme=programme,
        columns=["registration_number"],
        status=ExportJob.Status.DONE,
        requested_by=user,
        file_name=name,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        row_count=0,
    )


@pytest.fixture
def world(geography, settings, tmp_path) -> World:
    # Counters (throttles, code limits) of earlier runs stay out; files go to tmp_path.
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-matrix-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }
    settings.EXPORTS_ROOT = tmp_path / "exports"
    branch = BranchFactory()
    other_branch = BranchFactory()
    village_elsewhere = Village.objects.exclude(commune__district__province__code="12").first()
    person_in = PersonFactory(branch=branch, partner=branch.partner, phone="+85512999001")
    person_out = PersonFactory(
        branch=other_branch, partner=other_branch.partner, village=village_elsewhere
    )
    # Fixed codes: a page naming the other programme is found by its code.
    programme = ProgrammeFactory(code="matrix-programme")
    other_programme = ProgrammeFactory(code="matrix-other-programme")
    users = {
        Role.BRANCH_STAFF: user_with_role(Role.BRANCH_STAFF, branch=branch),
        Role.PARTNER_SUPERVISOR: user_with_role(Role.PARTNER_SUPERVISOR, partner=branch.partner),
        Role.CAMPAIGN_ORGANISER: user_with_role(Role.CAMPAIGN_ORGANISER, province=branch.province),
        Role.MINISTRY_OFFICER: user_with_role(Role.MINISTRY_OFFICER),
        Role.PROGRAMME_OFFICER: user_with_role(Role.PROGRAMME_OFFICER, programme=programme),
        Role.ADMINISTRATOR: user_with_role(Role.ADMINISTRATOR),
    }
    assert set(users) == ROLES, "a role was added: give it a user with a scope here"
    clients: dict[str, Client] = {}
    api_clients: dict[str, APIClient] = {}
    for subject in SUBJECTS:
        client = Client()
        if subject in users:
            client.force_login(users[subject])
        api_clients[subject] = client_for(users[subject]) if subject in users else APIClient()
        clients[subject] = client
    session = clients[REGISTRANT].session
    session[PHONE_KEY], session[SINCE_KEY] = str(person_in.phone), timezone.now().isoformat()
    session.save()
    api_clients[REGISTRANT] = registrant_api_client(str(person_in.phone), "012 999 001")
    key = programme_token_rotate(programme=programme, user=users[Role.PROGRAMME_OFFICER])
    api_clients[PROGRAMME_KEY] = APIClient()
    api_clients[PROGRAMME_KEY].credentials(HTTP_AUTHORIZATION=f"Programme {key}")

    # A campaign in the organiser's province that the branch's partner takes part in,
    # and one elsewhere without it; an event of each.
    campaign_in = CampaignFactory(
        code="matrix-in", organiser=users[Role.CAMPAIGN_ORGANISER], province=branch.province
    )
    campaign_in.partners.add(branch.partner)
    campaign_out = CampaignFactory(
        code="matrix-out", province=village_elsewhere.commune.district.province
    )

    def event(of_campaign, village):
        return Event.objects.create(
            campaign=of_campaign,
            code=f"{of_campaign.code}-day",
            name="Market day",
            village=village,
            held_on=datetime.date(2026, 6, 1),
        )

    def batch(of_branch):
        return IntakeBatch.objects.create(
            branch=of_branch,
            uploaded_by=users[Role.ADMINISTRATOR],
            original_name="people.csv",
            sha256="0" * 64,
            size=1,
            file="intake/none.csv",
            status=IntakeBatch.Status.VALIDATED,
        )

    survivor, merged = PersonFactory(), PersonFactory()
    merge = person_merge(survivor=survivor, merged=merged, actor=None)
    case = DuplicateCase.objects.create(
        person_a=person_in, person_b=person_out, score=0.8, source="batch"
    )
    inside = {
        "person": person_in,
        "own_person": person_in,
        "public_number": person_in,
        "batch": batch(branch),
        "case": case,
        "merge": merge,
        "run": DedupRun.objects.create(),
        "campaign": campaign_in,
        "event": event(campaign_in, person_in.village),
        "programme": programme,
        "export_job": export_job(programme, users[Role.ADMINISTRATOR]),
        "schedule": ExportSchedule.objects.create(programme=programme),
    }
    outside = {
        "person": person_out,
        "own_person": person_out,
        "batch": batch(other_branch),
        "campaign": campaign_out,
        "event": event(campaign_out, village_elsewhere),
        "programme": other_programme,
        "export_job": export_job(other_programme, users[Role.ADMINISTRATOR]),
        "schedule": ExportSchedule.objects.create(programme=other_programme),
    }
    return World(clients, api_clients, inside, outside)


URL_ARGUMENTS = {
    "number": lambda record: record.registration_number,
    "token": card_token,
    # A campaign's or a programme's code; an event's campaign's.
    "code": lambda record: (record.campaign if isinstance(record, Event) else record).code,
    "event_code": lambda record: record.code,
    "pk": lambda record: record.pk,
    "batch_id": lambda record: record.pk,
    "case_id": lambda record: record.pk,
    "merge_id": lambda record: record.pk,
    "run_id": lambda record: record.pk,
}


def page_url(name: str, arguments: tuple[str, ...], rule: Rule, record) -> str:
    kwargs = dict(rule.kwargs)
    for argument in arguments:
        if argument not in kwargs:
            kwargs[argument] = URL_ARGUMENTS[argument](record)
    return reverse(name, kwargs=kwargs)


def refused(response) -> bool:
    if response.status_code in REFUSED:
        return True
    location = response.get("Location", "")
    return response.status_code == 302 and location.startswith(SIGN_IN_PAGES)


def shows_outsider(subject: str, response, world: World) -> bool:
    """Whether an answer to a subject with a scope names the record outside it."""
    if subject in NATIONAL or response.status_code != 200 or response.streaming:
        return False
    number = world.outside["person"].registration_number
    # The campaign outside the scope; another programme (a registrant is offered every
    # active programme, so not for them).
    markers = [number, registration_number_display(number), world.outside["campaign"].code]
    if subject != REGISTRANT:
        markers.append(world.outside["programme"].code)
    body = response.content.decode(errors="replace")
    return any(marker in body for marker in markers)


def scoped(subject: str, rule: Rule, world: World) -> bool:
    """Whether `subject` has records outside its scope for this rule's target."""
    return bool(rule.target in world.outside and subject not in NATIONAL)


def check_page(name, arguments, rule, world, problems) -> None:
    for subject in SUBJECTS:
        client = world.clients[subject]
        allowed = subject in rule.subjects
        record = world.inside.get(rule.target) if rule.target else None
        url = page_url(name, arguments, rule, record)
        if rule.post_only:
            response = client.get(url) if allowed else client.post(url, {})
        else:
            response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{name} {subject}: {response.status_code}")
        elif (
            allowed
            and rule.subjects != EVERYONE
            and response.status_code != 405
            and refused(response)
        ):
            problems.append(f"{name} {subject}: refused ({response.status_code}) but allowed")
        elif not allowed and not refused(response):
            problems.append(f"{name} {subject}: LEAK, answered {response.status_code}")
        elif shows_outsider(subject, response, world):
            problems.append(f"{name} {subject}: LEAK, shows a record outside the scope")
        if allowed and scoped(subject, rule, world):
            out_url = page_url(name, arguments, rule, world.outside[rule.target])
            answer = client.post(out_url, {}) if rule.post_only else client.get(out_url)
            if not refused(answer):
                problems.append(f"{name} {subject}: LEAK outside scope, {answer.status_code}")


def test_every_page_and_api_operation_against_every_role(world):
    problems: list[str] = []
    names = url_names()
    api_names = {n for n in names if API_NAMESPACE.match(n)}
    unknown = sorted(
        n for n in names if n not in PAGES and not n.startswith("admin:") and n not in api_names
    )
    assert not unknown, f"classify these URL names in tests/permission_matrix.py: {unknown}"
    for name, arguments in sorted(names.items()):
        rule = PAGES.get(name)
        if rule is None or rule.skip:
            continue
        check_page(name, arguments, rule, world, problems)

    # The admin site: its index and a person's record page.
    person = world.inside["person"]
    for url in (reverse("admin:index"), reverse("admin:registry_person_change", args=[person.pk])):
        for subject in SUBJECTS:
            response = world.clients[subject].get(url)
            if subject in ADMIN.subjects and response.status_code != 200:
                problems.append(f"{url} {subject}: {response.status_code} but allowed")
            if subject not in ADMIN.subjects and not refused(response):
                problems.append(f"{url} {subject}: LEAK, answered {response.status_code}")

    operations = api_operations()
    # API URLs are checked through the schema's operations: none may be missing from it.
    assert len(api_names) == len({path for _m, path, _op, _q in operations}), (
        "an API URL is not in the OpenAPI schema, so this test cannot check it"
    )
    unknown_ops = sorted(op for _m, _p, op, _q in operations if op not in API)
    assert not unknown_ops, (
        f"classify these API operations in tests/permission_matrix.py: {unknown_ops}"
    )
    for method, path, operation, query in operations:
        check_operation(method, path, operation, query, API[operation], world, problems)
    assert not problems, "\n".join(problems)


API_ARGUMENTS = {
    "{registration_number}": lambda record: record.registration_number,
    "{number}": lambda record: record.registration_number,
    "{id}": lambda record: str(record.pk),
    "{fmt}": lambda _record: "png",
    "{purpose}": lambda _record: "data_sharing",
}


def api_url(path: str, record) -> str:
    for placeholder, value in API_ARGUMENTS.items():
        if placeholder in path:
            path = path.replace(placeholder, value(record))
    assert "{" not in path, f"give {path}'s argument a value in API_ARGUMENTS"
    return path


def check_operation(method, path, operation, query, rule, world, problems) -> None:
    for subject in API_SUBJECTS:
        client = world.api_clients[subject]
        allowed = subject in rule.subjects
        url = api_url(path, world.inside.get(rule.target) if rule.target else None)
        if method == "GET":
            response = client.get(url, {**query, **rule.query})
            if allowed and response.status_code != 200:
                problems.append(
                    f"{method} {operation} {subject}: {response.status_code} but allowed"
                )
            if not allowed and response.status_code not in REFUSED:
                problems.append(f"{method} {operation} {subject}: LEAK, {response.status_code}")
            if shows_outsider(subject, response, world):
                problems.append(f"{method} {operation} {subject}: LEAK, lists an outsider")
        elif not allowed:
            # Writes are checked on the refused side only (an empty body: nothing to write).
            response = client.generic(method, url, "{}", content_type="application/json")
            if 200 <= response.status_code < 300:
                problems.append(f"{method} {operation} {subject}: LEAK, {response.status_code}")
        elif rule.subjects == API_EVERYONE:
            # A public write (signing in) with an empty body: an error, never a crash.
            response = client.generic(method, url, "{}", content_type="application/json")
            if response.status_code >= 500:
                problems.append(f"{method} {operation} {subject}: {response.status_code}")
        if allowed and scoped(subject, rule, world):
            out_url = api_url(path, world.outside[rule.target])
            answer = client.generic(method, out_url, "{}", content_type="application/json")
            if answer.status_code not in REFUSED:
                problems.append(
                    f"{method} {operation} {subject}: LEAK outside scope, {answer.status_code}"
                )


def test_the_table_names_no_page_or_operation_that_is_gone():
    names = url_names()
    assert sorted(set(PAGES) - set(names)) == []
    assert sorted(set(API) - {op for _m, _p, op, _q in api_operations()}) == []
