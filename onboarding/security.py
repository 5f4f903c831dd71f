"""Headers every answer of the portal carries (README, "Headers and CSP").

The rule for caching is one line: **no cache stores anything Django answers**
(`Cache-Control: no-store`), unless the view itself declared its answer public with
`Cache-Control: public`. Pages and API answers show names, phones and ID numbers to
staff, and a registrant's own record to them; a shared computer's browser cache or a
proxy must keep none of it. Static files are served by WhiteNoise before this
middleware runs and keep their long cache lifetimes.
"""

from django.conf import settings
from django.utils.cache import patch_cache_control


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cache_control = response.get("Cache-Control", "")
        if "public" not in cache_control:
            patch_cache_control(response, no_store=True, private=True)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
