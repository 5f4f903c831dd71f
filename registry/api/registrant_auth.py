"""Who calls the registrant API: a registrant signed in with a phone code, never staff.

`Authorization: Bearer rga_...` (a registrant access token) is the only credential the
registrant API takes: no staff token, no session cookie. The staff API takes staff
tokens and sessions only, and `registry.api.staff_auth.RefuseRegistrantTokens` (first in the
default authentication classes) answers a registrant token there with a clear 401 instead of a
bare "not signed in". So neither kind of token can ever act as the other.
"""

import hashlib

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import permissions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.errors import ApiError
from registry.models import RegistrantToken
from registry.services.registrant_tokens import (
    RegistrantTokenError,
    registrant_token_authenticate,
)

BEARER = b"bearer"
WWW_AUTHENTICATE = 'Bearer realm="registrant"'


class Registrant:
    """The principal of a registrant API request: a phone proven by a code, not a user."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, token: RegistrantToken) -> None:
        self.token = token
        self.phone = str(token.phone)
        # Counted apart from staff users by the throttles ("u" + pk).
        self.pk = f"r{token.pk}"

    @property
    def idempotency_owner(self) -> str:
        """Keys an `Idempotency-Key` to the phone, so a retry after a token refresh (a
        new sign-in) still finds the first answer. A digest: no phone in that table."""
        return "phone:" + hashlib.sha256(self.phone.encode()).hexdigest()[:48]

    def __str__(self) -> str:
        return "registrant"


def _refused(code: str) -> ApiError:
    return ApiError(code, status_code=401, headers={"WWW-Authenticate": WWW_AUTHENTICATE})


class RegistrantTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != BEARER:
            # A staff token ("Token ...") or anything else: never a registrant.
            raise _refused("staff_credentials_refused")
        if len(header) != 2:
            raise _refused("token_invalid")
        try:
            record = registrant_token_authenticate(access=header[1].decode("latin-1"))
        except RegistrantTokenError as error:
            raise _refused(error.code) from None
        return Registrant(record), record

    def authenticate_header(self, request) -> str:
        return WWW_AUTHENTICATE


class IsRegistrant(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, Registrant)


class RegistrantTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema names the registrant API's credential."""

    target_class = RegistrantTokenAuthentication
    name = "registrantToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A registrant's access token (rga_...) from "
            "/api/v1/registrant/token/; never a staff token.",
        }
