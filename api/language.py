"""The API's language: `Accept-Language: km|en`, Khmer by default.

The site's LanguageMiddleware deliberately ignores Accept-Language for pages (a phone
bought abroad should not turn a Khmer service English). A machine client has no
switcher or cookie, so under /api/ the header decides; the API views activate it
themselves (ApiLanguageMixin), which keeps the middleware's rule for pages untouched.
"""

from django.utils.cache import patch_vary_headers
from django.utils.translation import trans_real

API_LANGUAGES = ("km", "en")
API_DEFAULT_LANGUAGE = "km"


def api_language(request) -> str:
    """The first of km/en the client accepts, by quality; Khmer when it names neither."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in trans_real.parse_accept_lang_header(header):
        base = code.split("-")[0].lower()
        if base in API_LANGUAGES:
            return base
    return API_DEFAULT_LANGUAGE


def language_headers_set(response, language: str) -> None:
    response["Content-Language"] = language
    patch_vary_headers(response, ("Accept-Language",))
