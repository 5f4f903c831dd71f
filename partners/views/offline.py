"""The counter form offline: what the installable page caches, and where its queue syncs.

The page (`/branch/register/`) opts in with `data-offline-*` attributes read by
`static/js/offline-form.js`. The service worker (`/branch/sw.js`, scope `/branch/`)
caches the page, its scripts, the rules (`rules.json`) and the gazetteer of the user's
provinces (`places.json`). A registration queued offline is posted, when the network
returns, to `register/sync/` with its `Idempotency-Key`: the same forms and the same
service as the online page (`counter_submit`), under the API's idempotency rules
(api.offline).
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import user_has_role
from accounts.types import AuthenticatedHttpRequest
from api.messages import api_text
from api.offline import (
    SyncOutcome,
    offline_json,
    offline_session,
    offline_sync,
    offline_text,
    offline_worker,
)
from geography.selectors import area_places
from partners.selectors import branch_list_for
from partners.views.counter import CONSENT_UNCONFIRMED, STAFF, counter_forms, counter_submit
from registry.forms.registration import WorkplaceForm
from registry.forms.rules import form_rules
from registry.models.people import ActorType
from registry.regnumber import registration_number_display


def staff_json(view: Callable) -> Callable:
    """Signed-in branch staff only, answered in JSON (401 signed out, 403 another role).

    A fetch from the offline page must learn that its session ended, not follow a
    redirect to the sign-in page (which the service worker would then cache).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return offline_json({"outcome": "signed_out", "message": _("Sign in again.")}, 401)
        if not user_has_role(user=request.user, roles=STAFF):
            body = {"outcome": "forbidden", "message": api_text("permission_denied")}
            return offline_json(body, 403)
        return view(request, *args, **kwargs)

    return wrapped


@never_cache
@require_GET
def session(request: HttpRequest) -> HttpResponse:
    login = f"{reverse('accounts:login')}?next={reverse('partners:register')}"
    return offline_session(request, login_url=login)


def _counter_rules(request) -> dict:
    picked, typed = WorkplaceForm.WORKER_FIELDS
    return form_rules(
        build=lambda data: counter_forms(request, data),
        switches={"w-actor_type": [str(value) for value in ActorType.values]},
        # A worker's employer is picked from the list or typed: either answers.
        alternatives={f"p-{typed}": [f"p-{picked}"]},
        confirmations=[
            {
                "field": "consent_confirmed",
                "if_any": "purposes",
                "message": str(CONSENT_UNCONFIRMED),
            }
        ],
    )


@require_GET
@staff_json
def rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The counter form's rules as data, in the page's language (registry.forms.rules)."""
    return offline_json({**_counter_rules(request), "text": offline_text()})


@require_GET
@staff_json
def places(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The gazetteer of the provinces of the user's branches, for the offline picker."""
    provinces = sorted({branch.province_id for branch in branch_list_for(user=request.user)})
    return offline_json({"province_ids": provinces, **area_places(province_ids=provinces)})


@require_POST
@staff_json
def counter_sync(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One queued counter registration, sent again as the page posted it, exactly once."""

    def submit() -> SyncOutcome:
        outcome = counter_submit(request)
        person = outcome.person
        if person is None:
            return SyncOutcome(forms=outcome.forms)
        return SyncOutcome(
            forms=outcome.forms,
            number=registration_number_display(person.registration_number),
            url=reverse("partners:applicant", args=[person.registration_number]),
            created=outcome.created,
        )

    return offline_sync(request, submit=submit, refused_message=offline_text()["refused"])


@never_cache
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker for `/branch/`: keeps the counter page, its rules and its places."""
    return offline_worker(
        scope=reverse("partners:branch_home"),
        pages=[reverse("partners:register")],
        data=[reverse("partners:offline_rules"), reverse("partners:offline_places")],
        network_only=[reverse("partners:offline_session"), reverse("partners:register_sync")],
    )


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: the counter installs as an app that opens on its form."""
    body = {
        "name": _("Branch counter · Informal economy onboarding"),
        "short_name": _("Branch counter"),
        "start_url": reverse("partners:register"),
        "scope": reverse("partners:branch_home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#032ea1",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {
                "src": static(f"img/app-icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
