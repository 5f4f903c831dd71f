"""The counter form offline: what the installable page caches, and where its queue syncs.

The page (`/branch/register/`) opts in with `data-offline-*` attributes read by
`static/js/offline-form.js`. The service worker (`/branch/sw.js`, scope `/branch/`)
caches the page, its scripts, the rules (`rules.json`) and the gazetteer of the user's
provinces (`places.json`). A registration queued offline is posted, when the network
returns, to `register/sync/` with its `Idempotency-Key`: the same forms and the same
service as the online page (`counter_submit`), under the API's idempotency rules.
"""

import json
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import user_has_role
from accounts.types import AuthenticatedHttpRequest
from api.idempotency import HEADER, idempotency_guard
from api.messages import api_text
from geography.selectors import area_places
from partners.selectors import branch_list_for
from partners.views.counter import CONSENT_UNCONFIRMED, STAFF, counter_forms, counter_submit
from registry.forms.registration import WorkplaceForm
from registry.forms.rules import form_rules
from registry.models.people import ActorType
from registry.regnumber import registration_number_display

# Raised when what the worker caches changes shape: the worker then drops older caches.
CACHE_VERSION = 1

# The scripts and styles the counter page loads, cached when the worker installs.
SHELL_STATIC = (
    "vendor/fonts/noto-sans-khmer.css",
    "css/app.css",
    "vendor/htmx/htmx.min.js",
    "vendor/idb/idb.umd.js",
    "js/offline-rules.js",
    "js/offline-form.js",
)
WORKER_STATIC = (
    "vendor/workbox/workbox-core.prod.js",
    "vendor/workbox/workbox-routing.prod.js",
    "vendor/workbox/workbox-strategies.prod.js",
    "vendor/workbox/workbox-cacheable-response.prod.js",
    "js/offline-sw.js",
)


def _json(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def staff_json(view: Callable) -> Callable:
    """Signed-in branch staff only, answered in JSON (401 signed out, 403 another role).

    A fetch from the offline page must learn that its session ended, not follow a
    redirect to the sign-in page (which the service worker would then cache).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return _json({"outcome": "signed_out", "message": _("Sign in again.")}, 401)
        if not user_has_role(user=request.user, roles=STAFF):
            return _json({"outcome": "forbidden", "message": api_text("permission_denied")}, 403)
        return view(request, *args, **kwargs)

    return wrapped


@never_cache
@require_GET
def session(request: HttpRequest) -> HttpResponse:
    """Who is signed in, and a fresh CSRF token: the queue asks before it sends."""
    user = request.user
    return _json(
        {
            "signed_in": user.is_authenticated,
            "user": user.pk if user.is_authenticated else None,
            "csrf": get_token(request),
            "login_url": f"{reverse('accounts:login')}?next={reverse('partners:register')}",
        }
    )


def _counter_rules(request) -> dict:
    picked, typed = WorkplaceForm.WORKER_FIELDS
    actor_types = [str(value) for value in ActorType.values]
    return form_rules(
        build=lambda data: counter_forms(request, data),
        switches={"w-actor_type": actor_types},
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
    return _json({**_counter_rules(request), "text": queue_text()})


@require_GET
@staff_json
def places(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The gazetteer of the provinces of the user's branches, for the offline picker."""
    provinces = sorted({branch.province_id for branch in branch_list_for(user=request.user)})
    return _json({"province_ids": provinces, **area_places(province_ids=provinces)})


def queue_text() -> dict[str, str]:
    """The queue panel's words, in the page's language (cached with the rules)."""
    return {
        "offline": _("No network: registrations are kept on this device and sent later."),
        "waiting": _("Waiting to be sent: %(n)s"),
        "queued": _("Kept on this device. It will be sent when the network returns."),
        "registered": _("Registered. Registration number: %(n)s"),
        "already": _("Already registered (registration number %(n)s); nothing was added."),
        "refused": _("Not registered: fix the marked fields and send again."),
        "fix": _("Fix and send again"),
        "remove": _("Remove"),
        "retry": _("Could not be sent yet; it will be tried again."),
        "signed_out": _(
            "Your session has ended. Sign in again: the registrations waiting here are kept."
        ),
        "sign_in": _("Sign in again"),
        "other_user": _("Entered by another staff member: sent when they sign in here."),
        "place_missing": _("This province is not stored for offline use: choose it online."),
        "check_form": _("Check the marked fields."),
        "sign_out_confirm": _(
            "%(n)s registrations have not been sent yet. Signing out deletes them from this "
            "device. Sign out anyway?"
        ),
        "send_now": _("Send now"),
        "heading": _("Registrations on this device"),
        "fixing": _("Fix the marked fields, then register again: it replaces the refused one."),
    }


@require_POST
@staff_json
def counter_sync(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One queued counter registration, sent again as the page posted it, exactly once."""
    key = request.headers.get(HEADER)
    if not key:
        return _json({"outcome": "error", "message": api_text("idempotency_key_invalid")}, 400)

    def refuse(code: str, status: int, headers: dict) -> HttpResponse:
        response = _json({"outcome": "error", "code": code, "message": api_text(code)}, status)
        for name, value in headers.items():
            response[name] = value
        return response

    return idempotency_guard(
        request, user=request.user, key=key, run=lambda: _sync_answer(request), refuse=refuse
    )


def _sync_answer(request) -> HttpResponse:
    outcome = counter_submit(request)
    person = outcome.person
    if person is None:
        errors: dict[str, list[str]] = {}
        for form in outcome.forms.values():
            for name, messages in form.errors.items():
                key = name if name == "__all__" else form.add_prefix(name)
                errors.setdefault(key, []).extend(str(m) for m in messages)
        return _json(
            {"outcome": "refused", "message": queue_text()["refused"], "errors": errors}, 422
        )
    number = registration_number_display(person.registration_number)
    body = {
        "outcome": "registered" if outcome.created else "already_registered",
        "number": number,
        "url": reverse("partners:applicant", args=[person.registration_number]),
    }
    return _json(body, 201 if outcome.created else 200)


@never_cache
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker for `/branch/`: its configuration, then Workbox and our script.

    Served from here (not /static/) so that its scope covers the counter; no-cache so a
    new release is picked up at the next visit.
    """
    config = {
        "version": CACHE_VERSION,
        "pages": [reverse("partners:register")],
        "data": [reverse("partners:offline_rules"), reverse("partners:offline_places")],
        "static": [static(path) for path in SHELL_STATIC],
        "static_prefix": settings.STATIC_URL,
        "network_only": [
            reverse("partners:offline_session"),
            reverse("partners:register_sync"),
        ],
    }
    scripts = ", ".join(json.dumps(static(path)) for path in WORKER_STATIC)
    body = f"self.offlineConfig = {json.dumps(config)};\nimportScripts({scripts});\n"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("partners:branch_home")
    return response


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
