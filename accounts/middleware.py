import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """Khmer unless the person chose otherwise.

    The choice comes from the signed-in user's remembered language, else the
    switcher's cookie, else Khmer. The browser's Accept-Language is deliberately
    ignored: a national service in Khmer should not turn English because a phone was
    bought abroad. Sits after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = dict(settings.LANGUAGES)

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language not in self.supported:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


SIGNED_IN_AT = "staff_signed_in_at"
SEEN_AT = "staff_seen_at"


class StaffSessionExpiryMiddleware:
    """A staff session ends after STAFF_SESSION_IDLE_MINUTES without a request, and
    STAFF_SESSION_MAX_HOURS after sign-in whatever happens: a counter's computer left
    signed in opens no registrant's record for long. The next request is then anonymous
    and meets the sign-in page. Sits after AuthenticationMiddleware."""

    # The last-seen time is written at most this often (seconds): not a session write
    # on every request.
    RESOLUTION = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._expire_or_touch(request)
        return self.get_response(request)

    def _expire_or_touch(self, request) -> None:
        now = time.time()
        session = request.session
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        seen_at = session.get(SEEN_AT, now)
        idle = settings.STAFF_SESSION_IDLE_MINUTES * 60
        lifetime = settings.STAFF_SESSION_MAX_HOURS * 3600
        if now - seen_at > idle or now - signed_in_at > lifetime:
            logout(request)  # flushes the session; request.user becomes anonymous
            return
        if now - seen_at >= self.RESOLUTION or SEEN_AT not in session:
            session[SEEN_AT] = now
