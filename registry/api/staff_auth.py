"""First of the staff API's authentication classes (settings.REST_FRAMEWORK): a registrant
token (the mobile app's, registry.api.registrant_auth) gets a clear 401, never an account.

Kept apart and light: DRF imports its default authentication classes while
`rest_framework.views` itself loads, so this module may import nothing that imports it.
"""

from rest_framework.authentication import BaseAuthentication, get_authorization_header

# As registry.services.registrant_tokens.ACCESS_PREFIX and REFRESH_PREFIX (a test checks).
REGISTRANT_TOKEN_PREFIXES = (b"rga_", b"rgr_")


class RefuseRegistrantTokens(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if len(header) == 2 and header[1].startswith(REGISTRANT_TOKEN_PREFIXES):
            from api.errors import ApiError  # imports rest_framework.views: see above

            raise ApiError("registrant_token_on_staff_api", status_code=401)
        return None

    def authenticate_header(self, request) -> str:
        # DRF asks the first class what to put in WWW-Authenticate (and answers 403 for
        # "not signed in" when it says nothing): the staff API's scheme, as before.
        return "Token"
