"""Registrants over HTTP: parse, call one service or selector, shape.

Scope is the web's (person_list_visible_to): a registrant outside it answers 404 and is
never listed; collections are refused (403) to roles that have none.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api import REGISTRANT_READERS, HasAnyRole, branch_for_entry
from accounts.models import Role
from accounts.selectors import user_assignments, user_roles
from api.base import ApiLanguageMixin, error_responses
from api.errors import ApiError, field_error, validation_error_from_django
from api.idempotency import idempotent
from api.serializers import StrictCharField
from api.throttling import ScopedThrottle
from audit.models import ReadKind
from audit.web import request_reads_record
from registry.api.filters import RegistrantFilter
from registry.api.registration_input import (
    correction_clean,
    merge_errors,
    registration_input_clean,
)
from registry.api.serializers import (
    API_CHANNELS,
    RegistrantCreateSerializer,
    RegistrantSerializer,
    RegistrantUpdateSerializer,
)
from registry.models import Consent, Person
from registry.models.people import Channel
from registry.regnumber import registration_number_clean
from registry.selectors.people import person_list_visible_to, person_page
from registry.services.people import person_update
from registry.services.registration import registration_submit

MAX_REFERENCE_LENGTH = 64


def _registrants(*, user, include_inactive: bool):
    return (
        person_list_visible_to(user=user, include_inactive=include_inactive)
        .select_related("village__commune__district__province", "branch")
        .prefetch_related(
            Prefetch(
                "consents",
                queryset=Consent.objects.filter(withdrawn_at=None).select_related("programme"),
            )
        )
    )


@extend_schema(tags=["registrants"])
class RegistrantListCreate(ApiLanguageMixin, generics.GenericAPIView):
    """Registrants in your scope (newest first); registering someone for your branch."""

    permission_classes = [IsAuthenticated, HasAnyRole]
    required_roles = {"GET": REGISTRANT_READERS}  # POST: partner staff, see branch_for_entry
    serializer_class = RegistrantSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RegistrantFilter
    throttle_scope = "registrant_create"

    def get_throttles(self):
        if self.request.method == "POST":
            return [ScopedThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        include_inactive = bool(self.request.query_params.get("status"))
        return _registrants(user=self.request.user, include_inactive=include_inactive).order_by(
            "-created_at", "-id"
        )

    @extend_schema(
        summary="List registrants in your scope",
        responses={200: RegistrantSerializer(many=True), **error_responses(400, 401, 403, 429)},
    )
    def get(self, request):
        people = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(people)
        request_reads_record(request, person_ids=[p.pk for p in page], kind=ReadKind.API_LIST)
        return self.get_paginated_response(RegistrantSerializer(page, many=True).data)

    @extend_schema(
        summary="Register someone",
        description="Channel `api` (or `app`), entered by you, for your branch. A "
        "`reference` already registered by your partner returns that registrant with 200.",
        request=RegistrantCreateSerializer,
        responses={
            201: RegistrantSerializer,
            200: RegistrantSerializer,
            **error_responses(400, 401, 403, 409, 413, 415, 422, 429),
        },
    )
    @idempotent
    def post(self, request):
        user = request.user
        errors: dict[str, list[ValidationError]] = {}
        body = request.data if isinstance(request.data, Mapping) else {}
        try:
            branch = branch_for_entry(user=user, code=str(body.get("branch") or ""))
        except ValidationError as error:
            branch = None
            merge_errors(errors, error)
        serializer = RegistrantCreateSerializer(data=request.data, partial=True)
        if not serializer.is_valid():
            found = validation_error_from_django(ValidationError(errors)).detail if errors else {}
            raise exceptions.ValidationError({**found, **serializer.errors})
        values = serializer.validated_data

        channel = values.get("channel") or Channel.API
        if channel not in API_CHANNELS:
            errors["channel"] = [field_error("channel_invalid")]
        reference = values.get("reference", "")
        if len(reference) > MAX_REFERENCE_LENGTH:
            errors["reference"] = [field_error("reference_length")]
        consent_codes = set(values.get("consents") or [])
        data, work, purposes = registration_input_clean(values, errors=errors)
        if errors:
            raise ValidationError(errors)

        person, created = registration_submit(
            data=data,
            work=work,
            consents=purposes,
            channel=channel,
            entered_by=user,
            branch=branch,
            reference=reference,
        )
        if created:
            person.api_consents = sorted(consent_codes)
            return Response(RegistrantSerializer(person).data, status=status.HTTP_201_CREATED)
        # The partner's reference is already registered: that record, if it is yours to see.
        existing = _registrants(user=user, include_inactive=True).filter(pk=person.pk).first()
        if existing is None:
            raise ApiError("reference_exists", status_code=status.HTTP_409_CONFLICT)
        return Response(RegistrantSerializer(existing).data, status=status.HTTP_200_OK)


class RegistrantSearchSerializer(serializers.Serializer):
    q = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Registration number, phone, national ID, partner reference, or parts of "
        "the name in Khmer or Latin letters (at least 3 letters, any order).",
    )
    cursor = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="next_cursor or previous_cursor of a page.",
    )
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


class RegistrantSearchPage(serializers.Serializer):
    results = RegistrantSerializer(many=True)
    next_cursor = serializers.CharField(help_text="Empty on the last page.")
    previous_cursor = serializers.CharField(help_text="Empty on the first page.")


@extend_schema(tags=["registrants"])
class RegistrantSearch(ApiLanguageMixin, generics.GenericAPIView):
    """Search registrants in your scope with the terms in the request body, not the
    address (names, phones and ID numbers are personal data; addresses are logged)."""

    permission_classes = [IsAuthenticated, HasAnyRole]
    required_roles = {"POST": REGISTRANT_READERS}
    serializer_class = RegistrantSearchSerializer

    @extend_schema(
        summary="Search registrants in your scope",
        description="Body: `q` plus any filter of the list (`sex`, `province`, `status`...). "
        "Newest first, a page at a time: send back `next_cursor` as `cursor` for the next.",
        request=RegistrantSearchSerializer,
        responses={200: RegistrantSearchPage, **error_responses(400, 401, 403, 429)},
    )
    def post(self, request):
        # A body that is not an object (a list, a number) is refused here, not read as {}.
        options = RegistrantSearchSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        body = request.data
        include_inactive = bool(body.get("status"))
        filters = {k: v for k, v in body.items() if k not in ("q", "cursor", "page_size")}
        filterset = RegistrantFilter(
            data=filters,
            queryset=_registrants(user=request.user, include_inactive=include_inactive),
        )
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        people = filterset.search(filterset.qs, "q", options.validated_data.get("q", ""))
        page = person_page(
            queryset=people,
            cursor=options.validated_data.get("cursor", ""),
            size=options.validated_data["page_size"],
            searched=bool(options.validated_data.get("q", "").strip()),
        )
        return Response(
            {
                "results": RegistrantSerializer(page.people, many=True).data,
                "next_cursor": page.next_cursor,
                "previous_cursor": page.previous_cursor,
            }
        )


@extend_schema(tags=["registrants"])
class RegistrantDetail(ApiLanguageMixin, generics.GenericAPIView):
    """One registrant in your scope, by registration number; 404 outside it."""

    permission_classes = [IsAuthenticated]
    serializer_class = RegistrantSerializer
    lookup_field = "registration_number"
    http_method_names = ["get", "patch", "options"]

    def get_queryset(self):
        return _registrants(user=self.request.user, include_inactive=True)

    def get_object(self):
        # Not a registration number (a typo, a NUL byte): not found, without a query.
        number = registration_number_clean(self.kwargs[self.lookup_field])
        if number is None:
            raise Http404
        self.kwargs[self.lookup_field] = number
        return super().get_object()

    @extend_schema(
        summary="One registrant, by registration number",
        responses={200: RegistrantSerializer, **error_responses(401, 404, 429)},
    )
    def get(self, request, registration_number):
        person = self.get_object()
        request_reads_record(request, person_ids=[person.pk], kind=ReadKind.API_DETAIL)
        return Response(RegistrantSerializer(person).data)

    @extend_schema(
        summary="Correct a registrant's details",
        description="Send only what changes; the whole record is checked again and every "
        "change is kept in the registrant's history (channel `api`, or `app`).",
        request=RegistrantUpdateSerializer,
        responses={200: RegistrantSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
    )
    def patch(self, request, registration_number):
        person = self.get_object()
        user = request.user
        if not _may_change(user=user, person=person):
            raise ApiError("read_only_scope", status_code=status.HTTP_403_FORBIDDEN)
        if person.status != Person.Status.ACTIVE:
            raise ApiError("registrant_inactive", status_code=status.HTTP_409_CONFLICT)
        serializer = RegistrantUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        unknown = sorted(set(request.data) - set(serializer.fields))
        if unknown:
            raise ValidationError({field: field_error("field_unknown") for field in unknown})
        channel = values.pop("channel", Channel.API)
        if channel not in API_CHANNELS:
            raise ValidationError({"channel": field_error("channel_invalid")})
        data = correction_clean(person, values)
        person_update(person=person, data=data, channel=channel, actor=user)
        request_reads_record(request, person_ids=[person.pk], kind=ReadKind.API_DETAIL)
        return Response(RegistrantSerializer(self.get_queryset().get(pk=person.pk)).data)


def _may_change(*, user, person: Person) -> bool:
    """Partner staff change their own branches' registrants; administrators any."""
    if Role.ADMINISTRATOR in user_roles(user=user):
        return True
    if person.branch_id is None:
        return False
    return any(
        (a.role == Role.BRANCH_STAFF and a.branch_id == person.branch_id)
        or (a.role == Role.PARTNER_SUPERVISOR and a.partner_id == person.partner_id)
        for a in user_assignments(user=user)
    )
