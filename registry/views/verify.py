"""The public card check: `/verify/` (a form) and `/verify/<number>/` (the answer).

Printed on every registration card as a QR code, so these URLs are stable. No sign-in;
the page shows no personal data (see `registry.selectors.verification`), is kept out of
search engines and out of caches.
"""

from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from api.throttling import address_rate_wait
from registry.regnumber import registration_number_format
from registry.selectors.verification import VerificationResult, registration_verify

TEMPLATE = "registry/verify.html"


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _context(result: VerificationResult | None, typed: str = "") -> dict:
    if result is None:
        return {"result": None, "typed": typed}
    province = result.province_en if get_language() == "en" else result.province_km
    return {
        "result": result,
        "typed": typed,
        "number_display": registration_number_format(result.number) if result.number else "",
        "province": province or result.province_en or result.province_km,
    }


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
