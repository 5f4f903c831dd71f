from django.utils import translation


class UserLanguageMiddleware:
    """Apply a signed-in user's remembered language over the cookie and browser.

    Sits after LocaleMiddleware and AuthenticationMiddleware: the switcher stores the
    choice on the user, so it follows them to any device they sign in on.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
