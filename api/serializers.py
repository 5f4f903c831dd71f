"""The one error shape every API answer uses, documented in the OpenAPI schema; what
the API's serializers share."""

import copy

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


class FlatInputSerializer(serializers.Serializer):
    """An input serializer of plain fields (no nested serializers) that copies its
    declared fields shallowly for each use.

    DRF deep-copies every declared field for every serializer it makes, which re-runs each
    field's __init__ (the validators' set-up included): for a registration's 20-odd
    fields that was a third of the serializer's time on every create. A plain field keeps
    no state of its own while it validates (its validators and messages are read only),
    so a shallow copy, then bound to this serializer as DRF binds any field, validates
    the same; a list field's child stays the declared one's, bound to the declared list.
    """

    def get_fields(self):
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}
