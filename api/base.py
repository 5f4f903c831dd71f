"""What every API view shares: the request's language, roles, the branch a write is for,
and the error responses each operation documents.

Shared by every app's `api/` package; no domain code imports it, and it imports none:
what the API knows of roles and branches is `accounts.api`.
"""

from django.utils import translation
from drf_spectacular.utils import OpenApiResponse

from api.language import api_language, language_headers_set
from api.serializers import ErrorSerializer


class ApiLanguageMixin:
    """Run the whole request (errors included) in the language of Accept-Language."""

    def dispatch(self, request, *args, **kwargs):
        language = api_language(request)
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
            if not getattr(response, "is_rendered", True):
                response.render()
        language_headers_set(response, language)
        return response


def error_responses(*statuses: int) -> dict:
    """The documented error answers of an operation, all in the one error shape."""
    descriptions = {
        400: "Invalid input: `error.fields` names each field's problems.",
        401: "No token or session, or an invalid one.",
        403: "Your role may not do this.",
        404: "Not found, or outside your scope.",
        409: "Conflict (an `Idempotency-Key` request still running, or a state conflict).",
        413: "The request body is too large.",
        415: "Unsupported content type.",
        422: "The `Idempotency-Key` was already used for a different request.",
        429: "Throttled: `error.wait` seconds (also in Retry-After).",
    }
    return {
        status: OpenApiResponse(ErrorSerializer, description=descriptions[status])
        for status in statuses
    }
