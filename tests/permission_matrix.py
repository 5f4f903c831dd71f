"""Who may open what: the table the permission matrix test (test_permission_matrix.py)
checks every URL pattern and every API operation against.

One line per URL name (`namespace:name`, from the resolver) and per API operation
(`operationId`, from the OpenAPI schema). A new page or operation without a line fails
the test, so classify it here: who gets in (`Rule.subjects`) and, for a page about one
record, which record it names (`Rule.target`), so the test also opens a record outside
the subject's scope and expects a refusal. Subjects are the role codes of
accounts.Role, `ANONYMOUS` and `REGISTRANT` (signed in at /me/ with a phone code; on
the API, with the registrant API's Bearer token), and on the API only `PROGRAMME_KEY`
(a programme's own system, `Authorization: Programme <key>` of the programme officer's
programme).
"""

from dataclasses import dataclass, field

from accounts.models import Role

ANONYMOUS = "anonymous"
REGISTRANT = "registrant"
PROGRAMME_KEY = "programme_key"
ROLES = frozenset(Role.values)
EVERYONE = ROLES | {ANONYMOUS, REGISTRANT}
# On the API, a programme's key is one more caller.
API_EVERYONE = EVERYONE | {PROGRAMME_KEY}
STAFF = ROLES  # any signed-in staff user, whatever the role
PARTNER_STAFF = frozenset({Role.BRANCH_STAFF, Role.PARTNER_SUPERVISOR})
REVIEWERS = frozenset({Role.MINISTRY_OFFICER, Role.ADMINISTRATOR})
DASHBOARD_VIEWERS = REVIEWERS | {Role.PROGRAMME_OFFICER, Role.CAMPAIGN_ORGANISER}
REGISTRANT_READERS = PARTNER_STAFF | {Role.CAMPAIGN_ORGANISER} | REVIEWERS
# Campaign pages (campaigns.access): organisers see and manage the campaigns of their
# area, partner staff see those their partner takes part in; national roles all.
CAMPAIGN_PLANNERS = frozenset({Role.CAMPAIGN_ORGANISER}) | REVIEWERS
CAMPAIGN_VIEWERS = CAMPAIGN_PLANNERS | PARTNER_STAFF
# Programme pages (sharing.views): the programme's officers and administrators.
PROGRAMME_MANAGERS = frozenset({Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR})
ONLY_REGISTRANT = frozenset({REGISTRANT})
# Roles that see every record: no record is outside their scope.
NATIONAL = frozenset({Role.MINISTRY_OFFICER, Role.ADMINISTRATOR})


@dataclass(frozen=True)
class Rule:
    subjects: frozenset[str]
    # The record the URL names: "person", "batch", "case", "merge", "run", "own_person"
    # (the registrant's own record), "campaign", "event", "programme", "export_job",
    # "schedule"; the test fills the URL with one inside and one
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
    # The national dashboard: counts from 1 to 4 hidden for roles without record access.
    "dashboards:dashboard": Rule(DASHBOARD_VIEWERS),
    "dashboards:dashboard_csv": Rule(DASHBOARD_VIEWERS, kwargs={"panel": "sector"}),
    "dashboards:partner": Rule(frozenset({Role.PARTNER_SUPERVISOR, Role.ADMINISTRATOR})),
    # The official shell: public pages, and the emblem image.
    "shell:help": Rule(EVERYONE),
    "shell:privacy": Rule(EVERYONE),
    "shell:accessibility": Rule(EVERYONE),
    "shell:emblem": Rule(EVERYONE),
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
    # Offline intake (partners.views.offline): the service worker, the manifest and the
    # session probe are public (they hold nothing); rules, places and sync are counter
    # staff's, answered 401/403 in JSON to anyone else.
    "partners:offline_worker": Rule(EVERYONE),
    "partners:offline_manifest": Rule(EVERYONE),
    "partners:offline_session": Rule(EVERYONE),
    "partners:offline_rules": Rule(PARTNER_STAFF),
    "partners:offline_places": Rule(PARTNER_STAFF),
    "partners:register_sync": Rule(PARTNER_STAFF, post_only=True),
    "campaigns:list": Rule(CAMPAIGN_VIEWERS),
    "campaigns:new": Rule(CAMPAIGN_PLANNERS),
    "campaigns:edit": Rule(CAMPAIGN_PLANNERS, target="campaign"),
    "campaigns:poster": Rule(CAMPAIGN_VIEWERS, target="campaign"),
    "campaigns:event_new": Rule(CAMPAIGN_PLANNERS, target="campaign"),
    "campaigns:event_edit": Rule(CAMPAIGN_PLANNERS, target="event"),
    "campaigns:event_poster": Rule(CAMPAIGN_VIEWERS, target="event"),
    "outreach:campaign": Rule(CAMPAIGN_VIEWERS, target="campaign"),
    "outreach:campaign_csv": Rule(CAMPAIGN_VIEWERS, target="campaign"),
    "outreach:event_register": Rule(CAMPAIGN_PLANNERS, target="event"),
    "outreach:coverage": Rule(CAMPAIGN_PLANNERS),
    "programmes:list": Rule(PROGRAMME_MANAGERS),
    # Programmes (sharing.views): a programme, its exports and schedules are its
    # officers' and administrators'; crisis targeting is the ministry's.
    "sharing:programme": Rule(PROGRAMME_MANAGERS, target="programme"),
    "sharing:rule": Rule(PROGRAMME_MANAGERS, target="programme"),
    "sharing:rule_count": Rule(PROGRAMME_MANAGERS, target="programme", post_only=True),
    "sharing:settings": Rule(frozenset({Role.ADMINISTRATOR}), target="programme", post_only=True),
    "sharing:export_ask": Rule(PROGRAMME_MANAGERS, target="programme", post_only=True),
    "sharing:schedule_add": Rule(PROGRAMME_MANAGERS, target="programme", post_only=True),
    "sharing:token_rotate": Rule(PROGRAMME_MANAGERS, target="programme", post_only=True),
    "sharing:export": Rule(PROGRAMME_MANAGERS, target="export_job"),
    "sharing:export_progress": Rule(PROGRAMME_MANAGERS, target="export_job"),
    "sharing:export_file": Rule(PROGRAMME_MANAGERS, target="export_job"),
    "sharing:schedule_remove": Rule(PROGRAMME_MANAGERS, target="schedule", post_only=True),
    "sharing:targeting": Rule(REVIEWERS),
    "verify:form": Rule(EVERYONE),
    "verify:result": Rule(EVERYONE, target="public_number"),
    # A card's QR (number and signed token), the public keys and the offline checker.
    "verify:signed": Rule(EVERYONE, target="public_number"),
    "verify:keys": Rule(EVERYONE),
    "verify:offline": Rule(EVERYONE),
    "verify:manifest": Rule(EVERYONE),
    "verify:service_worker": Rule(EVERYONE),
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
    "sharing_me:programmes": Rule(ONLY_REGISTRANT, target="own_person"),
    # The programme named is an active one (the world's "matrix-programme").
    "sharing_me:consent": Rule(
        ONLY_REGISTRANT, target="own_person", kwargs={"code": "matrix-programme"}, post_only=True
    ),
    # The data tracker (issue 17): the registrant's own records only.
    "tracker_me:tracker": Rule(ONLY_REGISTRANT, target="own_person"),
    "tracker_me:ask": Rule(ONLY_REGISTRANT, target="own_person"),
    "tracker_me:withdraw": Rule(
        ONLY_REGISTRANT, target="own_person", kwargs={"code": "matrix-programme"}
    ),
    "tracker_me:notices": Rule(ONLY_REGISTRANT, target="own_person", post_only=True),
    # Unnamed patterns: the old admin addresses redirect into /admin/ (classified there),
    # and the API's catch-all answers a JSON 404 to everyone.
    "": Rule(EVERYONE, skip="redirects and the API's 404: no page of their own"),
}

# Every /admin/ page: administrators (superusers) only; checked on the index and on a
# person's change page, the other admin pages share the admin site's own check.
ADMIN = Rule(frozenset({Role.ADMINISTRATOR}))

# API operations by operationId (drf-spectacular). Staff authenticate with a token, a
# registrant with the registrant API's Bearer token, a programme's system with its key;
# each credential is refused on the others' operations.
API: dict[str, Rule] = {
    "geography_provinces_list": Rule(STAFF),
    "geography_districts_list": Rule(STAFF),
    "geography_communes_list": Rule(STAFF),
    "geography_villages_list": Rule(STAFF, query={"commune": "120101"}),
    "registrants_list": Rule(REGISTRANT_READERS),
    "registrants_create": Rule(PARTNER_STAFF),
    # The search takes its terms in the body (POST), scoped like the list.
    "registrants_search_create": Rule(REGISTRANT_READERS),
    "registrants_retrieve": Rule(REGISTRANT_READERS, target="person"),
    "registrants_partial_update": Rule(PARTNER_STAFF | {Role.ADMINISTRATOR}, target="person"),
    "intake_batches_list": Rule(PARTNER_STAFF | {Role.ADMINISTRATOR}),
    "intake_batches_create": Rule(PARTNER_STAFF),
    "intake_batches_retrieve": Rule(PARTNER_STAFF | {Role.ADMINISTRATOR}, target="batch"),
    "intake_batches_commit_create": Rule(PARTNER_STAFF, target="batch"),
    "intake_batches_rows_list": Rule(PARTNER_STAFF | {Role.ADMINISTRATOR}, target="batch"),
    # The registrant API (docs/api.md): signing in is public; the rest needs the
    # registrant's own Bearer token and names only their own records.
    "registrant_code_create": Rule(API_EVERYONE),
    "registrant_token_create": Rule(API_EVERYONE),
    "registrant_token_refresh_create": Rule(API_EVERYONE),
    "registrant_token_revoke_create": Rule(ONLY_REGISTRANT),
    "registrant_records_list": Rule(ONLY_REGISTRANT),
    "registrant_records_create": Rule(ONLY_REGISTRANT),
    "registrant_records_retrieve": Rule(ONLY_REGISTRANT, target="own_person"),
    "registrant_records_partial_update": Rule(ONLY_REGISTRANT, target="own_person"),
    "registrant_records_card._retrieve": Rule(ONLY_REGISTRANT, target="own_person"),
    "registrant_records_consents_list": Rule(ONLY_REGISTRANT, target="own_person"),
    "registrant_records_consents_update": Rule(ONLY_REGISTRANT, target="own_person"),
    "registrant_records_consents_destroy": Rule(ONLY_REGISTRANT, target="own_person"),
    "registrant_records_history_list": Rule(ONLY_REGISTRANT, target="own_person"),
    "registrant_records_programmes_list": Rule(ONLY_REGISTRANT, target="own_person"),
    "registrant_records_leave_create": Rule(ONLY_REGISTRANT, target="own_person"),
    "registrant_records_tracker_retrieve": Rule(ONLY_REGISTRANT, target="own_person"),
    "registrant_records_tracker_questions_create": Rule(ONLY_REGISTRANT, target="own_person"),
    "registrant_records_tracker_notices_update": Rule(ONLY_REGISTRANT, target="own_person"),
    # The programme API (docs/programmes.md): only a key of the programme; another
    # programme's export answers 403.
    "programme_exports_list": Rule(frozenset({PROGRAMME_KEY})),
    "programme_exports_file_retrieve": Rule(frozenset({PROGRAMME_KEY}), target="export_job"),
    "programme_delta_retrieve": Rule(frozenset({PROGRAMME_KEY})),
}
