from django.urls import reverse
from rest_framework import serializers

from sharing.models import ExportJob


class ExportJobSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField(
        help_text="Where to download the file (when ready)."
    )

    class Meta:
        model = ExportJob
        fields = [
            "id", "kind", "file_format", "status", "created_at", "started_at", "finished_at",
            "row_count", "sha256", "size", "expires_at", "columns", "download",
        ]  # fmt: skip
        read_only_fields = fields

    def get_download(self, job: ExportJob) -> str | None:
        if job.status != ExportJob.Status.DONE:
            return None
        request = self.context["request"]
        return request.build_absolute_uri(reverse("v1:programme-export-file", args=[job.pk]))


class DeltaRowSerializer(serializers.Serializer):
    delta = serializers.IntegerField(help_text="The delta export this row comes from.")
    change = serializers.ChoiceField(choices=["new", "changed", "removed"])
    registration_number = serializers.CharField()
    changed_columns = serializers.ListField(child=serializers.CharField())
    reason = serializers.ChoiceField(
        choices=["", "consent_withdrawn", "left_registry", "merged", "no_longer_eligible"],
        help_text="Why a person is removed (removed rows only).",
    )
    survivor_number = serializers.CharField(
        help_text="For a merged record: the registration number of the record it became."
    )
    values = serializers.DictField(child=serializers.CharField())


class DeltaPageSerializer(serializers.Serializer):
    results = DeltaRowSerializer(many=True)
    next_cursor = serializers.CharField(help_text="Pass it as `cursor` to read on.")
    more = serializers.BooleanField(help_text="False when every finished delta has been read.")
