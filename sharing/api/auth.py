"""`Authorization: Programme <key>`: a programme's own system, scoped to that programme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from api.messages import api_text
from sharing.models import ProgrammeToken
from sharing.tokens import programme_token_check

KEYWORD = "Programme"


class ProgrammeTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace") != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(api_text("authentication_failed"))
        token = programme_token_check(key=parts[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed(api_text("authentication_failed"))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return KEYWORD


class HasProgrammeToken(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ProgrammeToken)


class ProgrammeTokenScheme(OpenApiAuthenticationExtension):
    target_class = "sharing.api.auth.ProgrammeTokenAuthentication"
    name = "programmeToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Programme <key>`: the key made on the programme's page; it reads "
            "that programme's exports and deltas only.",
        }
