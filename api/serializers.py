"""The one error shape every API answer uses, documented in the OpenAPI schema."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for programs: `validation_error`, ...")
    message = serializers.CharField(help_text="In the request's language (Accept-Language).")
    # The metaclass takes declared fields out of the class, so this does not shadow
    # Serializer.fields; the stubs cannot know.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per field (dotted paths for nested values).",
    )
    field_codes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Stable codes per field, e.g. `village_unknown`, `phone_invalid`.",
    )
    wait = serializers.IntegerField(required=False, help_text="Seconds to wait (429 only).")


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


class StrictCharField(serializers.CharField):
    """Text only, as the schema says: DRF's CharField turns a number or a boolean into
    text; this one refuses it (for opaque values a client can only have been given as
    text, such as a page cursor)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
