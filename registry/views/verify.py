"""The public card check: `/verify/` (a form), `/verify/<number>/` (the answer) and
`/verify/<number>/<signed code>/` (what a card's QR opens: the answer, and whether the
card's signed code is genuine).

Printed on every registration card as a QR code, so these URLs are stable. No sign-in;
the page shows no personal data (see `registry.selectors.verification`), is kept out of
search engines and out of caches.

Why the signed code is a path segment and not the URL's fragment: the server can check
it on every phone, with or without JavaScript, and an ordinary camera app still opens
/verify/<number>/... on this site. The code holds nothing the page does not already show
(number, status, province, day of issue), so it is no more personal in an access log
than the number before it. Offline, the verifier's service worker (scope /verify/)
answers the same address with the offline checker, which reads the code from the path.

`/verify/keys/` publishes the public keys (a JWK set); `/verify/offline/` is the
installable offline checker, with its manifest and service worker under /verify/.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from api.throttling import address_rate_wait
from geography.models import Province
from registry.card_signing import card_public_jwks
from registry.models import Person
from registry.regnumber import registration_number_format
from registry.selectors.verification import (
    SignatureCheck,
    VerificationResult,
    card_signature_check,
    registration_verify,
)

TEMPLATE = "registry/verify.html"


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _in_language(km: str | None, en: str | None) -> str | None:
    return (en if get_language() == "en" else km) or en or km


def _context(
    result: VerificationResult | None, typed: str = "", signature: SignatureCheck | None = None
) -> dict:
    if result is None:
        return {"result": None, "typed": typed}
    context = {
        "result": result,
        "typed": typed,
        "number_display": registration_number_format(result.number) if result.number else "",
        "province": _in_language(result.province_km, result.province_en),
        "signature": signature,
    }
    if signature is not None and signature.valid:
        labels = dict(Person.Status.choices)
        status = signature.status_at_issue or ""
        context["status_at_issue"] = labels.get(status, status)
        context["province_at_issue"] = _in_language(
            signature.province_at_issue_km, signature.province_at_issue_en
        )
    return context


def rate_limited(view):
    """At most settings.VERIFY_RATE_LIMIT look-ups per client address: the check is
    public, and without a limit it could be run down every registration number."""

    @wraps(view)
    def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        wait = address_rate_wait(request, scope="verify", rate=settings.VERIFY_RATE_LIMIT)
        if wait is None:
            return view(request, *args, **kwargs)
        seconds = int(wait + 0.999)
        response = render(request, "429.html", {"wait": seconds}, status=429)
        response["Retry-After"] = str(seconds)
        return _noindex(response)

    return limited


@require_GET
@never_cache
@rate_limited
def verify_form(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("number", "").strip()
    if not typed:
        return _noindex(render(request, TEMPLATE, _context(None)))
    result = registration_verify(number=typed)
    if result.number_valid:
        return redirect("verify:result", number=result.number)
    # A malformed number has no page of its own: answer on the form, keeping the input.
    return _noindex(render(request, TEMPLATE, _context(result, typed=typed)))


@require_GET
@never_cache
@rate_limited
def verify_result(request: HttpRequest, number: str) -> HttpResponse:
    result = registration_verify(number=number)
    if result.number_valid and result.number != number:
        # "123 456 7890" or Khmer digits typed into the address bar: one canonical URL.
        return redirect("verify:result", number=result.number)
    return _noindex(render(request, TEMPLATE, _context(result, typed=number)))


@require_GET
@never_cache
@rate_limited
def verify_signed(request: HttpRequest, number: str, token: str) -> HttpResponse:
    """What a card's QR opens: the current answer, and the signed code checked."""
    result = registration_verify(number=number)
    signature = card_signature_check(number=result.number, token=token) if result.number else None
    return _noindex(render(request, TEMPLATE, _context(result, typed=number, signature=signature)))


@require_GET
@cache_control(public=True, max_age=300)
def verify_keys(request: HttpRequest) -> JsonResponse:
    """The public keys that sign cards, as a JWK set; the offline checker keeps a copy."""
    response = JsonResponse(card_public_jwks())
    response["Access-Control-Allow-Origin"] = "*"  # public keys: any checker may read them
    return response


def _province_names() -> list[tuple[str, str]]:
    return [
        (code, _in_language(km, en) or code)
        for code, km, en in Province.objects.order_by("code").values_list(
            "code", "name_km", "name_en"
        )
    ]


@require_GET
@never_cache
def verify_offline(request: HttpRequest) -> HttpResponse:
    """The installable checker: verifies a card's signed code in the browser, offline."""
    context = {
        "provinces": _province_names(),
        "statuses": Person.Status.choices,
    }
    return _noindex(render(request, "registry/verify_offline.html", context))


@require_GET
@cache_control(no_cache=True)
def verify_manifest(request: HttpRequest) -> HttpResponse:
    manifest = {
        "name": _("Card check"),
        "short_name": _("Card check"),
        "description": _("Checks registration cards, also without a network."),
        "lang": get_language(),
        "start_url": "/verify/offline/",
        "scope": "/verify/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#032ea1",
        "icons": [
            {"src": static("img/verify-icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("img/verify-icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/verify-icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
@cache_control(no_cache=True)
def verify_service_worker(request: HttpRequest) -> HttpResponse:
    """The checker's service worker, served from /verify/ so that its scope is /verify/.

    Its cache name changes with the static files it names (hashed in production) and the
    signing keys, so a deployment or a key rotation installs a fresh copy.
    """
    assets = [static("js/verify-offline.js"), static("img/verify-icon.svg")]
    version = hashlib.sha256(
        "|".join([*assets, settings.CARD_SIGNING_KEY.partition(":")[0]]).encode()
    ).hexdigest()[:12]
    script = render_to_string(
        "registry/verify_sw.js", {"version": version, "assets": assets}, request=request
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/verify/"
    return response
