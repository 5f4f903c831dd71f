"""The programme API: a programme's own system lists its exports, downloads a file and
reads its delta feed. Authorised by a programme key (`Authorization: Programme <key>`)."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiLanguageMixin, error_responses
from api.errors import error_body
from sharing import feed, services
from sharing.api.auth import HasProgrammeToken, ProgrammeTokenAuthentication
from sharing.api.serializers import DeltaPageSerializer, ExportJobSerializer
from sharing.models import ExportJob

FEED_PAGE_MAX = 1000


class ProgrammeApiMixin(ApiLanguageMixin):
    def programme(self):
        return self.request.auth.programme


@extend_schema(
    tags=["programme"], responses={200: ExportJobSerializer(many=True), **error_responses(401, 403)}
)
class ExportJobList(ProgrammeApiMixin, generics.ListAPIView):
    """The programme's export jobs, newest first (paged)."""

    authentication_classes = [ProgrammeTokenAuthentication]
    permission_classes = [HasProgrammeToken]
    serializer_class = ExportJobSerializer
    filter_backends: list = []

    def get_queryset(self):
        return ExportJob.objects.filter(programme=self.programme()).order_by("-created_at", "-pk")


class ExportFile(ProgrammeApiMixin, APIView):
    authentication_classes = [ProgrammeTokenAuthentication]
    permission_classes = [HasProgrammeToken]

    @extend_schema(
        tags=["programme"],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **error_responses(401, 403, 404),
        },
    )
    def get(self, request, pk: int):
        """Download an export's file (another programme's: 403). Every download is recorded."""
        job = get_object_or_404(ExportJob.objects.select_related("programme"), pk=pk)
        if job.programme_id != self.programme().pk:
            raise exceptions.PermissionDenied
        try:
            path = services.export_download(job=job, user=request.user, channel="api")
        except services.FileMissingError as error:
            raise exceptions.NotFound from error
        response = FileResponse(path.open("rb"), as_attachment=True, filename=job.download_name)
        response["X-Checksum-SHA256"] = job.sha256
        response["Cache-Control"] = "no-store"
        return response


class DeltaFeed(ProgrammeApiMixin, APIView):
    authentication_classes = [ProgrammeTokenAuthentication]
    permission_classes = [HasProgrammeToken]

    @extend_schema(
        tags=["programme"],
        parameters=[
            OpenApiParameter(
                "cursor",
                OpenApiTypes.STR,
                description="From the previous page's `next_cursor`; absent: from the oldest kept delta.",
            ),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"Rows per page, at most {FEED_PAGE_MAX} (default 500).",
            ),
        ],
        responses={
            200: DeltaPageSerializer,
            **error_responses(400, 401, 403),
            410: OpenApiResponse(
                description="The cursor points into a delta deleted after its retention: read a full export again."
            ),
        },
    )
    def get(self, request):
        """Who is new, who changed (which columns) and who must be removed and why, in
        the order of the delta files and, inside each, of registration numbers."""
        try:
            limit = min(FEED_PAGE_MAX, max(1, int(request.query_params.get("limit", 500))))
        except ValueError as error:
            raise exceptions.ValidationError({"limit": [_("Enter a whole number.")]}) from error
        try:
            page = feed.delta_feed(
                programme=self.programme(), cursor=request.query_params.get("cursor"), limit=limit
            )
        except feed.CursorInvalidError as error:
            raise exceptions.ValidationError(
                {"cursor": [_("This is not a cursor this API gave.")]}
            ) from error
        except feed.FeedGoneError:
            message = _(
                "This delta was deleted after its retention period: read a full export again."
            )
            return Response(error_body("gone", message), status=410)
        data = {"results": page.rows, "next_cursor": page.next_cursor, "more": page.more}
        return Response(DeltaPageSerializer(data).data)
