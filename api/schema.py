"""The OpenAPI schema's shared parts: the headers every operation takes."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

ACCEPT_LANGUAGE = OpenApiParameter(
    "Accept-Language",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    enum=["km", "en"],
    description="Language of messages: `km` (default) or `en`.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Optional, 1-255 visible ASCII characters (a UUID is a good choice). A "
    "retry with the same key and body gets the first answer again (header "
    "`Idempotent-Replayed: true`) without running twice; the same key with another body "
    "gets 422; while the first is still running, 409. Keys are kept 24 hours.",
)


class ApiAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = [*super().get_override_parameters(), ACCEPT_LANGUAGE]
        # Sign-in steps have no caller to remember a key for (registry.api.registrant_views).
        if self.method == "POST" and not getattr(self.view, "idempotency_key_ignored", False):
            parameters.append(IDEMPOTENCY_KEY)
        return parameters
