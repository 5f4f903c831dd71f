"""Signing in to the registrant API: a phone code, then tokens (registry.services.
registrant_tokens). The same code service as the web's /register/ and /me/, with the same
limits; see registry.api.registrant_views for what a token then opens.
"""

from django.core import signing
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ApiLanguageMixin, error_responses
from api.client_address import client_address
from api.errors import ApiError, field_error, validation_error_from_django
from registry.api.registrant_auth import IsRegistrant, RegistrantTokenAuthentication
from registry.api.registrant_serializers import (
    CodeRequestSerializer,
    CodeSentSerializer,
    RefreshRequestSerializer,
    TokenPairSerializer,
    TokenRequestSerializer,
)
from registry.models import PhoneCode
from registry.normalise import normalise_phone
from registry.services.phone_codes import CODE_LIFETIME, phone_code_send
from registry.services.registrant_tokens import (
    ACCESS_LIFETIME,
    REFRESH_LIFETIME,
    IssuedTokens,
    RegistrantTokenError,
    registrant_token_refresh,
    registrant_token_revoke,
    registrant_token_sign_in,
)

TAG = "registrant"
CHALLENGE_SALT = "registry.api.registrant.challenge"


class PublicView(ApiLanguageMixin, APIView):
    """Sign-in steps: no credential yet (throttled per address as any anonymous call)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


class SignedInView(ApiLanguageMixin, APIView):
    authentication_classes = [RegistrantTokenAuthentication]
    permission_classes = [IsRegistrant]


def _phone(value: str, field: str = "phone") -> str:
    try:
        return normalise_phone(value)
    except ValidationError as error:
        raise validation_error_from_django(ValidationError({field: error.error_list})) from None


def _token_pair(issued: IssuedTokens) -> dict:
    return {
        "token_type": "Bearer",
        "access_token": issued.access,
        "expires_in": int(ACCESS_LIFETIME.total_seconds()),
        "refresh_token": issued.refresh,
        "refresh_expires_in": int(REFRESH_LIFETIME.total_seconds()),
    }


@extend_schema(tags=[TAG])
class CodeRequest(PublicView):
    @extend_schema(
        summary="Send a sign-in code by SMS",
        description="Sends a six-digit code to the phone, valid 5 minutes. The answer is "
        "the same whether or not anyone is registered with the phone. At most 3 codes per "
        "phone in 15 minutes and 10 a day, and 20 per network address an hour, counted "
        "together with the web's /register/ and /me/.",
        request=CodeRequestSerializer,
        responses={202: CodeSentSerializer, **error_responses(400, 415, 429)},
    )
    def post(self, request):
        serializer = CodeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        phone = _phone(serializer.validated_data["phone"])
        try:
            record = phone_code_send(
                phone=phone, purpose=PhoneCode.Purpose.SIGN_IN, ip_address=client_address(request)
            )
        except ValidationError as error:
            # The limits (rate_limited_phone / _address), in the service's own words.
            raise ApiError(
                "code_rate_limited", status_code=429, message=" ".join(error.messages)
            ) from None
        challenge = signing.dumps({"code": record.pk}, salt=CHALLENGE_SALT)
        body = {"challenge": challenge, "expires_in": int(CODE_LIFETIME.total_seconds())}
        return Response(body, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=[TAG])
class TokenCreate(PublicView):
    @extend_schema(
        summary="Exchange the phone and its code for a registrant token",
        description="Five tries per code. The token opens only the records registered "
        "with this phone (none yet: it can register). `expires_in` counts from receipt, "
        "by the server's clock, so a phone whose clock is wrong still refreshes in time.",
        request=TokenRequestSerializer,
        responses={201: TokenPairSerializer, **error_responses(400, 415, 429)},
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        phone = _phone(values["phone"])
        try:
            # A day at most: the code itself expires after 5 minutes anyway.
            code_id = signing.loads(values["challenge"], salt=CHALLENGE_SALT, max_age=86400)["code"]
        except (signing.BadSignature, KeyError, TypeError):
            raise ValidationError({"challenge": field_error("challenge_invalid")}) from None
        try:
            issued = registrant_token_sign_in(phone=phone, code_id=code_id, code=values["code"])
        except ValidationError as error:
            raise ValidationError({"code": error.error_list}) from None
        return Response(_token_pair(issued), status=status.HTTP_201_CREATED)


@extend_schema(tags=[TAG])
class TokenRefresh(PublicView):
    @extend_schema(
        summary="A new token pair for a refresh token",
        description="The refresh token is used up. Presenting one already used ends the "
        "sign-in (`token_reused`): it may have been copied.",
        request=RefreshRequestSerializer,
        responses={200: TokenPairSerializer, **error_responses(400, 401, 415, 429)},
    )
    def post(self, request):
        serializer = RefreshRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            issued = registrant_token_refresh(refresh=serializer.validated_data["refresh_token"])
        except RegistrantTokenError as error:
            raise ApiError(error.code, status_code=401) from None
        return Response(_token_pair(issued))


@extend_schema(tags=[TAG])
class TokenRevoke(SignedInView):
    @extend_schema(
        summary="Sign out: end this sign-in",
        description="The access and refresh tokens stop working at once.",
        request=None,
        responses={204: None, **error_responses(401, 429)},
    )
    def post(self, request):
        registrant_token_revoke(record=request.user.token)
        return Response(status=status.HTTP_204_NO_CONTENT)
