"""The OpenAPI schema's shared parts: the headers every operation takes."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

# An HTTP Accept-Language header of any form (`en-GB,en;q=0.9,fr;q=0.5`): the first of
# km/en it names by quality decides, Khmer when it names neither (api/language.py).
ACCEPT_LANGUAGE = OpenApiParameter(
    "Accept-Language",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Language of messages, as an HTTP Accept-Language header: the first of "
    "`km` and `en` it names (by quality) is used; Khmer (`km`) when it names neither.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]{1,255}$"},
    OpenApiParameter.HEADER,
    description="Optional, 1-255 visible ASCII characters (a UUID is a good choice); "
    "another value gets 400. A retry with the same key and body gets the first answer "
    "again (header `Idempotent-Replayed: true`) without running twice; the same key "
    "with another body gets 422; while the first is still running, 409 (with "
    "Retry-After). Keys are kept 24 hours.",
)


class ApiAutoSchema(AutoSchema):
    def _honours_idempotency_key(self) -> bool:
        """The handler is wrapped by api.idempotency.idempotent. Other POSTs (a search, the
        sign-in steps) take no key: a key sent there is not read, so not documented."""
        handler = getattr(self.view, self.method.lower(), None)
        return getattr(handler, "honours_idempotency_key", False)

    def get_override_parameters(self):
        parameters = [*super().get_override_parameters(), ACCEPT_LANGUAGE]
        if self._honours_idempotency_key():
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _get_response_bodies(self, direction="response"):
        """Answers every operation of a kind gives, whether or not its view lists them:
        a paginated list also answers 400 (a `page` or `page_size` that is not a whole
        number in range) and 404 (a page past the last); a POST answers 400 for an
        Idempotency-Key that breaks its rules; an operation that reads credentials
        answers 401 to missing, invalid or the wrong kind of credentials (a registrant
        token on the staff API, a staff token on the registrant API). All in the error
        shape."""
        responses = super()._get_response_bodies(direction)
        implied = {}
        if getattr(self.view, "authentication_classes", None):
            implied["401"] = "No credentials, invalid ones, or the wrong kind for this API."
        if self.method == "GET" and self._is_list_view() and self._get_paginator():
            implied["400"] = "Invalid input: `error.fields` names each field's problems."
            implied["404"] = "Not found, or outside your scope; or a page past the last one."
        if self.method == "POST":
            implied["400"] = "Invalid input (or Idempotency-Key): see `error.code`, `error.fields`."
        if self._honours_idempotency_key():
            implied["409"] = "An `Idempotency-Key` request still running (Retry-After)."
            implied["422"] = "The `Idempotency-Key` was already used for a different request."
        if not set(implied) - set(responses):
            return responses
        from api.serializers import ErrorSerializer  # DRF imports this module early

        for code, description in implied.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ErrorSerializer, code, direction=direction
                )
                responses[code]["description"] = description
        return responses
