"""Types for code behind sign-in."""

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `login_required`: its user is a staff `User`, never
    `AnonymousUser`. Only for annotations; Django still builds a plain HttpRequest."""

    user: User
