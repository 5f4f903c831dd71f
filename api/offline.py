"""Plumbing for a form that works offline (static/js/offline-form.js), for any app's views.

A page opts in with `data-offline-*` attributes (README, "Offline intake"); its views
answer with these helpers: the sync endpoint of its queue (`offline_sync`, the API's
idempotency rules and one JSON answer shape), its service worker (`offline_worker`) and
the session probe the queue asks before sending (`offline_session`). What a submission
means (which forms, which service) stays with the view that passes `submit`.
"""

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.forms import Form
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.utils.translation import gettext as _

from api.idempotency import HEADER, idempotency_guard
from api.messages import api_text

# Workbox's browser builds, then the worker's own script (static/js/offline-sw.js).
WORKER_SCRIPTS = (
    "vendor/workbox/workbox-core.prod.js",
    "vendor/workbox/workbox-routing.prod.js",
    "vendor/workbox/workbox-strategies.prod.js",
    "vendor/workbox/workbox-cacheable-response.prod.js",
    "js/offline-sw.js",
)
# What every offline page loads besides its own files.
SHELL_STATIC = (
    "vendor/fonts/noto-sans-khmer.css",
    "css/app.css",
    "vendor/htmx/htmx.min.js",
    "vendor/idb/idb.umd.js",
    "js/offline-rules.js",
    "js/offline-form.js",
)
# Raised when what the worker caches changes shape: the worker then drops older caches.
CACHE_VERSION = 1


@dataclass
class SyncOutcome:
    """What one queued submission came to: the forms with their errors (nothing
    registered), or the record's number and page and whether this request created it."""

    forms: Mapping[str, Form]
    number: str = ""
    url: str = ""
    created: bool = False


def offline_json(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def form_errors(forms: Mapping[str, Form]) -> dict[str, list[str]]:
    """The forms' errors keyed by the field names the page posts (prefixes included)."""
    errors: dict[str, list[str]] = {}
    for form in forms.values():
        for name, messages in form.errors.items():
            key = name if name == "__all__" else form.add_prefix(name)
            errors.setdefault(key, []).extend(str(m) for m in messages)
    return errors


def offline_sync(
    request: HttpRequest, *, submit: Callable[[], SyncOutcome], refused_message: str
) -> HttpResponse:
    """Run one queued submission exactly once per `Idempotency-Key` (api.idempotency).

    Answers 201 `registered` / 200 `already_registered` with the number and page, 422
    `refused` with each field's reasons, or `error` with the API's code and message
    (400 no key, 409 still running, 422 key used for other values).
    """
    key = request.headers.get(HEADER)
    if not key:
        return offline_json(
            {"outcome": "error", "message": api_text("idempotency_key_invalid")}, 400
        )

    def refuse(code: str, status: int, headers: dict) -> HttpResponse:
        response = offline_json(
            {"outcome": "error", "code": code, "message": api_text(code)}, status
        )
        for name, value in headers.items():
            response[name] = value
        return response

    def run() -> HttpResponse:
        outcome = submit()
        if not outcome.number:
            body = {
                "outcome": "refused",
                "message": refused_message,
                "errors": form_errors(outcome.forms),
            }
            return offline_json(body, 422)
        answer = {
            "outcome": "registered" if outcome.created else "already_registered",
            "number": outcome.number,
            "url": outcome.url,
        }
        return offline_json(answer, 201 if outcome.created else 200)

    return idempotency_guard(request, user=request.user, key=key, run=run, refuse=refuse)


def offline_session(request: HttpRequest, *, login_url: str) -> HttpResponse:
    """Who is signed in, and a fresh CSRF token: a queue asks before it sends."""
    user = request.user
    return offline_json(
        {
            "signed_in": user.is_authenticated,
            "user": user.pk if user.is_authenticated else None,
            "csrf": get_token(request),
            "login_url": login_url,
        }
    )


def offline_worker(
    *, scope: str, pages: Iterable[str], data: Iterable[str], network_only: Iterable[str]
) -> HttpResponse:
    """A service worker for `scope`: its configuration, then Workbox and our script.

    Served by a view under `scope` (not from /static/) so that its scope covers the
    pages; no-cache, so a new release is picked up at the next visit.
    """
    config = {
        "version": CACHE_VERSION,
        "pages": list(pages),
        "data": list(data),
        "static": [static(path) for path in SHELL_STATIC],
        "static_prefix": settings.STATIC_URL,
        "network_only": list(network_only),
    }
    scripts = ", ".join(json.dumps(static(path)) for path in WORKER_SCRIPTS)
    body = f"self.offlineConfig = {json.dumps(config)};\nimportScripts({scripts});\n"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = scope
    return response


def offline_text() -> dict[str, str]:
    """The queue panel's words, in the page's language: served with a page's rules."""
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
