"""Who may open what: the table the permission matrix test (test_permission_matrix.py)
checks every URL pattern and every API operation against.

One line per URL name (`namespace:name`, from the resolver) and per API operation
(`operationId`, from the OpenAPI schema). A new page or operation without a line fails
the test, so classify it here: who gets in (`Rule.subjects`) and, for a page about one
record, which record it names (`Rule.target`), so the test also opens a record outside
the subject's scope and expects a refusal. Subjects are the role codes of
accounts.Role, `ANONYMOUS` and `REGISTRANT` (signed in at /me/ with a phone code).
"""

from dataclasses import dataclass, field

from accounts.models import Role

ANONYMOUS = "anonymous"
REGISTRANT = "registrant"
ROLES = frozenset(Role.values)
EVERYONE = ROLES | {ANONYMOUS, REGISTRANT}
STAFF = ROLES  # any signed-in staff user, whatever the role
PARTNER_STAFF = frozenset({Role.BRANCH_STAFF, Role.PARTNER_SUPERVISOR})
REVIEWERS = frozenset({Role.MINISTRY_OFFICER, Role.ADMINISTRATOR})
REGISTRANT_READERS = PARTNER_STAFF | {Role.CAMPAIGN_ORGANISER} | REVIEWERS
# Roles that see every record: no record is outside their scope.
NATIONAL = frozenset({Role.MINISTRY_OFFICER, Role.ADMINISTRATOR})


@dataclass(frozen=True)
class Rule:
    subjects: frozenset[str]
    # The record the URL names: "person", "batch", "case", "merge", "run", "own_person"
    # (the registrant's own record); the test fills the URL with one inside and one
    # outside each subject's scope.
    target: str | None = None
    # Fixed URL arguments (a step's slug, a file format).
    kwargs: dict = field(default_factory=dict)
    # Query parameters the operation needs beyond those its schema marks required.
    query: dict = field(default_factory=dict)
    # Answers only POST (a GET answers 405): checked by POSTing an empty form.
    post_only: bool = False
    # Not opened at all, with the reason (say why in a comment).
    skip: str = ""


PAGES: dict[str, Rule] = {
    "home": Rule(EVERYONE),
    "healthz": Rule(EVERYONE),
    "accounts:login": Rule(EVERYONE),
    "accounts:logout": Rule(EVERYONE, post_only=True),
    "accounts:set_language": Rule(EVERYONE, post_only=True),
    "accounts:api_token": Rule(STAFF),
    "dashboards:dashboard": Rule(REVIEWERS),
    "dashboards:system": Rule(frozenset({Role.ADMINISTRATOR})),
    "partners:branch_home": Rule(PARTNER_STAFF),
    "partners:register": Rule(PARTNER_STAFF),
    "partners:registrations": Rule(PARTNER_STAFF),
    "partners:applicant": Rule(PARTNER_STAFF, target="person"),
    "partners:applicant_edit": Rule(PARTNER_STAFF, target="person"),
    "partners:intake": Rule(PARTNER_STAFF),
    "partners:intake_template": Rule(PARTNER_STAFF, kwargs={"fmt": "csv"}),
    "partners:intake_batch": Rule(PARTNER_STAFF, target="batch"),
    "partners:intake_progress": Rule(PARTNER_STAFF, target="batch"),
    "partners:intake_commit": Rule(PARTNER_STAFF, target="batch", post_only=True),
    "partners:intake_rejected": Rule(PARTNER_STAFF, target="batch"),
    "campaigns:list": Rule(frozenset({Role.CAMPAIGN_ORGANISER}) | REVIEWERS),
    "programmes:list": Rule(frozenset({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR})),
    "verify:form": Rule(EVERYONE),
    "verify:result": Rule(EVERYONE, target="public_number"),
    "review:queue": Rule(REVIEWERS),
    "review:bulk": Rule(REVIEWERS, post_only=True),
    "review:case": Rule(REVIEWERS, target="case"),
    "review:undo_merge": Rule(REVIEWERS, target="merge", post_only=True),
    "review:runs": Rule(REVIEWERS),
    "review:run_progress": Rule(REVIEWERS, target="run"),
    "geography:picker": Rule(EVERYONE),
    "geography:search": Rule(EVERYONE),
    "schema": Rule(EVERYONE),
    "api-docs": Rule(EVERYONE),
    "registry:register": Rule(EVERYONE),
    "registry:register_done": Rule(EVERYONE),
    "registry:register_step": Rule(EVERYONE, kwargs={"step": "phone"}),
    "registry:me": Rule(EVERYONE),
    "registry:me_code": Rule(EVERYONE),
    "registry:me_sign_out": Rule(EVERYONE, post_only=True),
    "registry:me_person": Rule(frozenset({REGISTRANT}), target="own_person"),
    "registry:me_edit": Rule(frozenset({REGISTRANT}), target="own_person"),
    "registry:me_consents": Rule(frozenset({REGISTRANT}), target="own_person"),
    "registry:me_leave": Rule(frozenset({REGISTRANT}), target="own_person"),
    "registry:me_card": Rule(frozenset({REGISTRANT}), target="own_person", kwargs={"fmt": "png"}),
    # Unnamed patterns: the old admin addresses redirect into /admin/ (classified there),
    # and the API's catch-all answers a JSON 404 to everyone.
    "": Rule(EVERYONE, skip="redirects and the API's 404: no page of their own"),
}

# Every /admin/ page: administrators (superusers) only; checked on the index and on a
# person's change page, the other admin pages share the admin site's own check.
ADMIN = Rule(frozenset({Role.ADMINISTRATOR}))

# API operations by operationId (drf-spectacular). Staff authenticate with a token; a
# registrant has none on this API, so "registrant" is refused like anyone unsigned.
API: dict[str, Rule] = {
    "geography_provinces_list": Rule(STAFF),
    "geography_districts_list": Rule(STAFF),
    "geography_communes_list": Rule(STAFF),
    "geography_villages_list": Rule(STAFF, query={"commune": "120101"}),
    "registrants_list": Rule(REGISTRANT_READERS),
    "registrants_create": Rule(PARTNER_STAFF),
    "registrants_retrieve": Rule(REGISTRANT_READERS, target="person"),
    "registrants_partial_update": Rule(PARTNER_STAFF | {Role.ADMINISTRATOR}, target="person"),
    "intake_batches_list": Rule(PARTNER_STAFF | {Role.ADMINISTRATOR}),
    "intake_batches_create": Rule(PARTNER_STAFF),
    "intake_batches_retrieve": Rule(PARTNER_STAFF | {Role.ADMINISTRATOR}, target="batch"),
    "intake_batches_commit_create": Rule(PARTNER_STAFF, target="batch"),
    "intake_batches_rows_list": Rule(PARTNER_STAFF | {Role.ADMINISTRATOR}, target="batch"),
}
