from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from accounts.forms import SignInForm
from accounts.selectors import user_home_url, user_roles
from accounts.services import api_token_rotate, user_language_set
from accounts.types import AuthenticatedHttpRequest


def home(request: HttpRequest) -> HttpResponse:
    """Public landing page; a signed-in user goes to their role's home page."""
    if request.user.is_authenticated:
        url = user_home_url(user=request.user)
        if url:
            return redirect(url)
        return render(request, "accounts/no_role.html")
    return render(request, "home.html")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The remembered language also becomes the cookie, so it survives sign-out.
        language = form.get_user().language
        if language:
            _set_language_cookie(response, language)
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        user_language_set(user=request.user, language=language)
        _set_language_cookie(response, language)
    else:
        messages.error(request, _("That language is not available."))
    return response


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite="Lax",
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_token(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A staff member's key for the API (a partner's own system uses it). The key is shown
    once, on the answer to the POST that makes it; a new one replaces the old at once."""
    if not user_roles(user=request.user):
        raise PermissionDenied
    key = replaced = None
    if request.method == "POST":
        key, replaced = api_token_rotate(user=request.user)
    existing = Token.objects.filter(user=request.user).values_list("created", flat=True).first()
    context = {"key": key, "replaced": replaced, "created": existing}
    return render(request, "accounts/api_token.html", context)


class LogoutView(auth_views.LogoutView):
    """Sign out, and tell the browser to forget what it keeps for this site.

    The offline intake keeps a queue of registrations (names, phones) in IndexedDB and
    copies of pages in the service worker's cache: none of it may outlive the session
    on a shared counter computer (the page also clears them itself before signing out).
    """

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
