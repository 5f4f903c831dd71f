"""Bulk intake over HTTP: upload a file, poll its batch, commit it, read its rows.

Scoped like the branch pages (intake_batch_list_visible_to): branch staff see their
branch's batches, supervisors their partner's; a batch outside that answers 404.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import PARTNER_STAFF, HasAnyRole, branch_for_entry
from accounts.models import Role
from accounts.selectors import user_roles
from api.base import ApiLanguageMixin, error_responses
from api.errors import ApiError
from api.idempotency import idempotent
from api.messages import api_text
from api.throttling import ScopedThrottle, UserThrottle
from partners.api.serializers import (
    IntakeBatchSerializer,
    IntakeBatchUploadSerializer,
    IntakeRowSerializer,
)
from partners.intake.selectors import intake_batch_list_visible_to, intake_row_list
from partners.models import IntakeRow
from partners.services import intake_batch_commit_request, intake_batch_create

BATCH_READERS = PARTNER_STAFF | {Role.ADMINISTRATOR}


class _BatchScope:
    def get_queryset(self):
        return intake_batch_list_visible_to(user=self.request.user)


@extend_schema(tags=["intake"])
class IntakeBatchListCreate(ApiLanguageMixin, _BatchScope, generics.GenericAPIView):
    """Bulk files of your branch (supervisors: your partner's branches)."""

    permission_classes = [IsAuthenticated, HasAnyRole]
    required_roles = {"GET": BATCH_READERS}  # POST: partner staff, see branch_for_entry
    serializer_class = IntakeBatchSerializer
    throttle_scope = "intake_upload"

    def get_parsers(self):
        if self.request is not None and self.request.method == "POST":
            return [MultiPartParser()]
        return super().get_parsers()

    def get_throttles(self):
        if self.request.method == "POST":
            return [UserThrottle(), ScopedThrottle()]
        return super().get_throttles()

    @extend_schema(
        summary="Your batches, newest first",
        responses={200: IntakeBatchSerializer(many=True), **error_responses(401, 403, 429)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset().order_by("-created_at", "-id"))
        data = IntakeBatchSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Upload a bulk file",
        description="Stores the file and starts checking every row in the background: "
        "poll the batch (`links.self`) until `validated` (or `rejected`), read "
        "`links.invalid_rows`, then POST `links.commit`. A file above the size limit or "
        "an empty one is refused at once (400, `field_codes.file`).",
        request={"multipart/form-data": IntakeBatchUploadSerializer},
        responses={
            202: IntakeBatchSerializer,
            **error_responses(400, 401, 403, 409, 413, 415, 422, 429),
        },
    )
    @idempotent
    def post(self, request):
        branch = branch_for_entry(user=request.user, code=str(request.data.get("branch") or ""))
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError(
                {"file": ValidationError(api_text("file_required"), code="file_required")}
            )
        try:
            batch = intake_batch_create(branch=branch, uploaded_by=request.user, upload=upload)
        except ValidationError as error:
            raise ValidationError({"file": error.error_list}) from None
        batch = self.get_queryset().get(pk=batch.pk)
        data = IntakeBatchSerializer(batch, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["intake"])
class IntakeBatchDetail(ApiLanguageMixin, _BatchScope, generics.GenericAPIView):
    """One batch in your scope; 404 outside it."""

    permission_classes = [IsAuthenticated]
    serializer_class = IntakeBatchSerializer

    @extend_schema(
        summary="Poll a batch: status, counts, progress, the file's error",
        responses={200: IntakeBatchSerializer, **error_responses(401, 404, 429)},
    )
    def get(self, request, pk):
        batch = self.get_object()
        return Response(IntakeBatchSerializer(batch, context={"request": request}).data)


@extend_schema(tags=["intake"])
class IntakeBatchCommit(ApiLanguageMixin, _BatchScope, generics.GenericAPIView):
    """Registering a checked batch's valid rows."""

    permission_classes = [IsAuthenticated]
    serializer_class = IntakeBatchSerializer

    @extend_schema(
        summary="Register the batch's valid rows (in the background)",
        description="Only a `validated` batch can be committed (409 otherwise). Poll the "
        "batch until `committed`. Rows whose reference is already registered are never "
        "registered twice.",
        request=None,
        responses={
            202: IntakeBatchSerializer,
            **error_responses(401, 403, 404, 409, 422, 429),
        },
    )
    @idempotent
    def post(self, request, pk):
        batch = self.get_object()
        if not user_roles(user=request.user) & PARTNER_STAFF:
            # Committing registers people: partner staff only (administrators may look).
            raise ApiError("permission_denied", status_code=status.HTTP_403_FORBIDDEN)
        try:
            batch = intake_batch_commit_request(batch=batch, actor=request.user)
        except ValidationError as error:
            raise ApiError(
                error.code or "batch_not_ready",
                status_code=status.HTTP_409_CONFLICT,
                message=" ".join(error.messages),
            ) from None
        batch = self.get_queryset().get(pk=batch.pk)
        data = IntakeBatchSerializer(batch, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    tags=["intake"],
    parameters=[
        OpenApiParameter(
            "status",
            str,
            enum=list(IntakeRow.Status.values),
            description="Only rows of this status, e.g. `invalid`.",
        )
    ],
)
class IntakeRowList(ApiLanguageMixin, _BatchScope, generics.GenericAPIView):
    """The outcome of each row of a batch."""

    permission_classes = [IsAuthenticated]
    serializer_class = IntakeRowSerializer

    @extend_schema(
        summary="A batch's rows in file order, with reasons in your language",
        responses={200: IntakeRowSerializer(many=True), **error_responses(400, 401, 404, 429)},
    )
    def get(self, request, pk):
        batch = self.get_object()
        wanted = request.query_params.get("status") or None
        if wanted is not None and wanted not in IntakeRow.Status.values:
            raise ValidationError(
                {
                    "status": ValidationError(
                        api_text("row_status_invalid"), code="row_status_invalid"
                    )
                }
            )
        rows = intake_row_list(batch=batch, status=wanted).only(
            "row_number", "reference", "status", "errors"
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(IntakeRowSerializer(page, many=True).data)
