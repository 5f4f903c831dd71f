"""Shapes of the registrant API (the mobile app): sign-in, self-registration, consents."""

from rest_framework import serializers

from registry.api.serializers import RegistrantSerializer, _PersonInput, _WorkInput


class CodeRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(
        max_length=30, help_text="Any common Cambodian form (012 345 678, +855 12 345 678)."
    )


class CodeSentSerializer(serializers.Serializer):
    challenge = serializers.CharField(
        help_text="Send it back with the code to /registrant/token/. Opaque."
    )
    expires_in = serializers.IntegerField(help_text="Seconds the code stays valid.")


class TokenRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=30, help_text="The phone the code was sent to.")
    code = serializers.CharField(max_length=12, help_text="Six digits from the SMS.")
    challenge = serializers.CharField(max_length=200, help_text="From /registrant/code/.")


class RefreshRequestSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(max_length=200)


class TokenPairSerializer(serializers.Serializer):
    token_type = serializers.CharField(help_text="`Bearer`.")
    access_token = serializers.CharField(
        help_text="Send as `Authorization: Bearer <access_token>`."
    )
    expires_in = serializers.IntegerField(
        help_text="Seconds the access token lives (by the server's clock: count from receipt)."
    )
    refresh_token = serializers.CharField(
        help_text="Use once at /registrant/token/refresh/ for a new pair."
    )
    refresh_expires_in = serializers.IntegerField(help_text="Seconds the refresh token lives.")


class SelfRegistrationSerializer(_PersonInput, _WorkInput):
    """The registrant's own details; the phone is the one proven by the sign-in."""

    phone = None  # type: ignore[assignment]  # the signed-in phone, never another
    channel = None
    campaign = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="A campaign's code (from a poster). Optional; a code not running now "
        "registers without it and says so in `warnings`.",
    )


class SelfCorrectionSerializer(_PersonInput):
    """Only the fields sent change; the whole record is then checked again."""

    phone = None  # type: ignore[assignment]  # the signed-in phone: it cannot change
    channel = None

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class SelfRegisteredSerializer(RegistrantSerializer):
    """The new record (its `registration_number` first of all) and any warnings."""

    warnings = WarningSerializer(many=True)

    def to_representation(self, person):
        return {**super().to_representation(person), "warnings": self.context.get("warnings", [])}


class PurposeSerializer(serializers.Serializer):
    purpose = serializers.CharField(help_text="A programme code, or `data_sharing`.")
    name_km = serializers.CharField()
    name_en = serializers.CharField()
    given = serializers.BooleanField(help_text="In force now. Nothing is given by default.")
    given_at = serializers.DateTimeField(allow_null=True)


class LeaveSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="Must be true: leaving cannot be undone here.")


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField(help_text="A PersonChange action code.")
    action_label = serializers.CharField(help_text="The action, in the request's language.")
    detail = serializers.CharField(help_text="The programme or the fields it concerned.")
    channel = serializers.CharField()
