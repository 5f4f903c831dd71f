"""The registrant API (/api/v1/registrant/): what the mobile app does for a registrant.

The same services as the web wizard and /me/ (signing in, with a phone code, is
registry.api.registrant_signin): a registration (registration_submit), corrections
(person_update), consents (consent_give / consent_withdraw), leaving (person_leave) and
the card (registry.card). A sign-in opens only the records registered with its phone
(registrant_records), as /me/ does; any other number answers 404.
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from api.base import error_responses
from api.errors import ApiError, field_error
from api.idempotency import idempotent
from api.messages import api_text
from campaigns.services import campaign_for_code
from programmes.models import Programme
from registry.api.registrant_serializers import (
    HistoryEntrySerializer,
    LeaveSerializer,
    PurposeSerializer,
    SelfCorrectionSerializer,
    SelfRegisteredSerializer,
    SelfRegistrationSerializer,
)
from registry.api.registrant_signin import TAG, SignedInView
from registry.api.registration_input import correction_clean, registration_input_clean
from registry.api.serializers import DATA_SHARING, RegistrantSerializer
from registry.card import card_png
from registry.card_pdf import card_pdf
from registry.models import Consent, Person
from registry.models.people import Channel
from registry.regnumber import registration_number_clean
from registry.selectors.history import person_history
from registry.selectors.people import registrant_records
from registry.services.consent import consent_give, consent_withdraw
from registry.services.people import person_leave, person_update
from registry.services.registration import registration_submit


@extend_schema(tags=[TAG])
class Records(SignedInView):
    @extend_schema(
        summary="The records registered with the signed-in phone",
        description="Oldest first. A household may share a phone: each member's record is "
        "listed. Records merged into another are not.",
        responses={200: RegistrantSerializer(many=True), **error_responses(401, 429)},
    )
    def get(self, request):
        people = registrant_records(phone=request.user.phone).prefetch_related(
            "consents__programme"
        )
        return Response(RegistrantSerializer(people, many=True).data)

    @extend_schema(
        summary="Register oneself",
        description="With the signed-in phone, channel `app` (`campaign` with a running "
        "campaign code). Work and workplace as the web wizard asks; consents are only "
        "those listed (nothing is given by default). The answer carries the new "
        "`registration_number`.",
        request=SelfRegistrationSerializer,
        responses={
            201: SelfRegisteredSerializer,
            **error_responses(400, 401, 409, 413, 415, 422, 429),
        },
    )
    @idempotent
    def post(self, request):
        serializer = SelfRegistrationSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        unknown = sorted(set(request.data) - set(serializer.fields))
        if unknown:
            raise ValidationError({field: field_error("field_not_allowed") for field in unknown})
        values = {**serializer.validated_data, "phone": request.user.phone}
        errors: dict[str, list[ValidationError]] = {}
        data, work, purposes = registration_input_clean(values, errors=errors, phone_required=True)
        if errors:
            raise ValidationError(errors)
        code = values.get("campaign", "")
        campaign = campaign_for_code(code=code)
        warnings = []
        if code and campaign is None:
            warnings.append(
                {"code": "campaign_not_running", "message": api_text("campaign_not_running")}
            )
        person, _created = registration_submit(
            data=data,
            work=work,
            consents=purposes,
            channel=Channel.CAMPAIGN if campaign else Channel.APP,
            campaign=campaign,
        )
        person = registrant_records(phone=request.user.phone).get(pk=person.pk)
        return Response(
            SelfRegisteredSerializer(person, context={"warnings": warnings}).data,
            status=status.HTTP_201_CREATED,
        )


def own_record(request, number: str) -> Person:
    """One of the signed-in phone's records, or 404 (whoever else's it may be)."""
    clean = registration_number_clean(number)
    if clean is None:
        raise Http404
    person = registrant_records(phone=request.user.phone).filter(registration_number=clean)
    found = person.first()
    if found is None:
        raise Http404
    return found


def _must_be_active(person: Person) -> None:
    if person.status != Person.Status.ACTIVE:
        raise ApiError("registrant_inactive", status_code=status.HTTP_409_CONFLICT)


@extend_schema(tags=[TAG])
class Record(SignedInView):
    http_method_names = ["get", "patch", "options"]

    @extend_schema(
        summary="One of one's records",
        responses={200: RegistrantSerializer, **error_responses(401, 404, 429)},
    )
    def get(self, request, number):
        return Response(RegistrantSerializer(own_record(request, number)).data)

    @extend_schema(
        summary="Correct one's record",
        description="Send only what changes (the phone cannot: it is what signs in). The "
        "whole record is checked again; every change is kept in the history (channel `app`).",
        request=SelfCorrectionSerializer,
        responses={200: RegistrantSerializer, **error_responses(400, 401, 404, 409, 429)},
    )
    def patch(self, request, number):
        person = own_record(request, number)
        _must_be_active(person)
        serializer = SelfCorrectionSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        unknown = sorted(set(request.data) - set(serializer.fields))
        if unknown:
            raise ValidationError({field: field_error("field_unknown") for field in unknown})
        data = correction_clean(person, serializer.validated_data)
        person_update(person=person, data=data, channel=Channel.APP)
        return Response(RegistrantSerializer(own_record(request, number)).data)


@extend_schema(tags=[TAG])
class RecordHistory(SignedInView):
    @extend_schema(
        summary="What happened to one's record, newest first",
        responses={200: HistoryEntrySerializer(many=True), **error_responses(401, 404, 429)},
    )
    def get(self, request, number):
        person = own_record(request, number)
        return Response(
            [
                {
                    "at": line.at.isoformat(),
                    "action": line.change.action,
                    "action_label": line.change.get_action_display(),
                    "detail": line.detail,
                    "channel": line.change.channel,
                }
                for line in person_history(person=person, limit=200)
            ]
        )


def _data_sharing_names() -> tuple[str, str]:
    names = []
    for language in ("km", "en"):
        with override(language):
            names.append(_("Share my registration with partner institutions"))
    return names[0], names[1]


def _purposes(person: Person):
    given = {
        consent.programme_id: consent.given_at
        for consent in Consent.objects.filter(person=person, withdrawn_at=None)
    }
    sharing_km, sharing_en = _data_sharing_names()
    rows = [
        {
            "purpose": DATA_SHARING,
            "name_km": sharing_km,
            "name_en": sharing_en,
            "given": None in given,
            "given_at": given.get(None),
        }
    ]
    programmes = Programme.objects.filter(is_active=True).order_by("code")
    rows += [
        {
            "purpose": programme.code,
            "name_km": programme.name_km,
            "name_en": programme.name_en,
            "given": programme.pk in given,
            "given_at": given.get(programme.pk),
        }
        for programme in programmes
    ]
    return PurposeSerializer(rows, many=True).data


@extend_schema(tags=[TAG])
class RecordConsents(SignedInView):
    @extend_schema(
        summary="Each purpose one may consent to, and whether one has",
        responses={200: PurposeSerializer(many=True), **error_responses(401, 404, 429)},
    )
    def get(self, request, number):
        return Response(_purposes(own_record(request, number)))


def _programme_for(purpose: str, *, active_only: bool) -> Programme | None:
    """The programme a purpose names (None: data sharing); 404 for an unknown purpose."""
    if purpose == DATA_SHARING:
        return None
    programmes = Programme.objects.filter(code=purpose)
    if active_only:
        programmes = programmes.filter(is_active=True)
    programme = programmes.first()
    if programme is None:
        raise Http404
    return programme


@extend_schema(tags=[TAG])
class RecordConsent(SignedInView):
    http_method_names = ["put", "delete", "options"]

    @extend_schema(
        summary="Give consent for one purpose",
        description="Giving it again while in force changes nothing (idempotent).",
        request=None,
        responses={200: PurposeSerializer(many=True), **error_responses(401, 404, 409, 429)},
    )
    def put(self, request, number, purpose):
        person = own_record(request, number)
        _must_be_active(person)
        programme = _programme_for(purpose, active_only=True)
        consent_give(person=person, programme=programme, channel=Channel.APP)
        return Response(_purposes(person))

    @extend_schema(
        summary="Withdraw consent for one purpose",
        description="Withdrawing one not in force changes nothing (idempotent). The "
        "person is left out of that programme's next export.",
        request=None,
        responses={200: PurposeSerializer(many=True), **error_responses(401, 404, 429)},
    )
    def delete(self, request, number, purpose):
        person = own_record(request, number)
        programme = _programme_for(purpose, active_only=False)
        consent_withdraw(person=person, programme=programme, channel=Channel.APP)
        return Response(_purposes(person))


@extend_schema(tags=[TAG])
class RecordLeave(SignedInView):
    @extend_schema(
        summary="Leave the registry",
        description="Every consent is withdrawn and the record leaves every list and "
        'export (status `withdrawn`); its history is kept. Send `{"confirm": true}`.',
        request=LeaveSerializer,
        responses={200: RegistrantSerializer, **error_responses(400, 401, 404, 429)},
    )
    @idempotent
    def post(self, request, number):
        person = own_record(request, number)
        serializer = LeaveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not serializer.validated_data["confirm"]:
            raise exceptions.ValidationError(
                {
                    "confirm": [
                        exceptions.ErrorDetail(api_text("confirm_required"), "confirm_required")
                    ]
                }
            )
        person_leave(person=person, channel=Channel.APP)
        return Response(RegistrantSerializer(own_record(request, number)).data)


@extend_schema(tags=[TAG])
class RecordCard(SignedInView):
    """The registration card, as on /me/: PNG or PDF, with the signed QR code."""

    formats = {"png": (card_png, "image/png"), "pdf": (card_pdf, "application/pdf")}

    def perform_content_negotiation(self, request, force=False):
        # Errors are JSON whatever the client accepts; a card is the file itself.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download one's registration card",
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="PNG, 300 dpi."),
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="PDF of 85.6 x 54 mm, text selectable."
            ),
            **error_responses(401, 404, 429),
        },
    )
    def get(self, request, number, fmt):
        if fmt not in self.formats:
            raise Http404
        person = own_record(request, number)
        render_card, content_type = self.formats[fmt]
        base_url = request.build_absolute_uri("/").rstrip("/")
        response = HttpResponse(render_card(person, base_url=base_url), content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="registration-card-{person.registration_number}.{fmt}"'
        )
        response["Cache-Control"] = "no-store"
        return response
