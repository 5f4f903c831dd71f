from django.urls import reverse
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.intake.selectors import intake_batch_progress
from partners.models import IntakeBatch, IntakeRow


def _enum_text(values, name: str):
    return extend_schema_field({"type": "string", "enum": list(values)})(
        type(name, (serializers.CharField,), {})
    )


BatchStatusText = _enum_text(IntakeBatch.Status.values, "BatchStatusText")
RowStatusText = _enum_text(IntakeRow.Status.values, "RowStatusText")


class IntakeBatchCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(source="total_rows")
    valid = serializers.IntegerField(source="valid_rows")
    invalid = serializers.IntegerField(source="invalid_rows")
    existing = serializers.IntegerField(
        source="existing_rows", help_text="Rows whose reference your partner already registered."
    )
    processed = serializers.IntegerField(
        source="processed_rows", help_text="Progress of the current step, in rows."
    )
    committed = serializers.IntegerField(source="committed_rows")


class IntakeBatchLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    rows = serializers.URLField()
    invalid_rows = serializers.URLField()
    commit = serializers.URLField()


class IntakeBatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = BatchStatusText(
        help_text="uploaded → validating → validated → committing → committed; or rejected."
    )
    status_label = serializers.SerializerMethodField()
    branch = serializers.CharField(source="branch.code")
    file_name = serializers.CharField(source="original_name")
    size = serializers.IntegerField(help_text="Bytes.")
    counts = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    validated_at = serializers.DateTimeField(allow_null=True)
    committed_at = serializers.DateTimeField(allow_null=True)
    links = serializers.SerializerMethodField()

    def get_status_label(self, batch) -> str:
        return str(batch.get_status_display())

    @extend_schema_field(IntakeBatchCountsSerializer)
    def get_counts(self, batch) -> dict:
        return IntakeBatchCountsSerializer(batch).data

    def get_progress(self, batch) -> int:
        """Percent done of the current step (checking or registering), 0-100."""
        return intake_batch_progress(batch=batch)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_error(self, batch) -> str | None:
        """Why the whole file was refused, in the request's language; null otherwise."""
        text = batch.error_en if get_language() == "en" else batch.error_km
        return (text or batch.error_en or batch.error_km) or None

    @extend_schema_field(IntakeBatchLinksSerializer)
    def get_links(self, batch) -> dict:
        request = self.context.get("request")

        def url(name: str, suffix: str = "") -> str:
            path = reverse(name, kwargs={"pk": batch.pk}) + suffix
            return request.build_absolute_uri(path) if request else path

        return {
            "self": url("v1:intake-batch-detail"),
            "rows": url("v1:intake-batch-rows"),
            "invalid_rows": url("v1:intake-batch-rows", "?status=invalid"),
            "commit": url("v1:intake-batch-commit"),
        }


class IntakeBatchUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8, BOM tolerated) or XLSX in the bulk-intake template."
    )
    branch = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Branch code. Supervisors must name one; branch staff only when they "
        "work for several branches (empty or absent: their only branch).",
    )


class IntakeRowSerializer(serializers.Serializer):
    row_number = serializers.IntegerField(help_text="Line in the file (the header is line 1).")
    reference = serializers.CharField()
    status = RowStatusText()
    # The metaclass takes declared fields out of the class, so this does not shadow
    # Serializer.errors; the stubs cannot know.
    errors = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text="Messages per column, in the request's language."
    )

    @extend_schema_field(
        serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    )
    def get_errors(self, row) -> dict:
        language = "en" if get_language() == "en" else "km"
        other = "km" if language == "en" else "en"
        return {
            column: list(messages.get(language) or messages.get(other) or [])
            for column, messages in (row.errors or {}).items()
        }
