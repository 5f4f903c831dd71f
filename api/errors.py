"""One JSON error shape for everything under /api/.

    {"error": {"code": "validation_error", "message": "...",
               "fields": {"phone": ["..."]}, "field_codes": {"phone": ["phone_invalid"]}}}

`code` is stable and meant for programs; `message` and the field messages are in the
request's language (Accept-Language km|en, Khmer by default). `field_codes` carries the
stable codes of the registration service's validation errors (`village_unknown`,
`phone_invalid`...), so a partner system need not parse translated text. A throttled
answer adds `wait` (seconds, also in Retry-After).
"""

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import override
from django.views.csrf import csrf_failure as django_csrf_failure
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from api.language import api_language, language_headers_set
from api.messages import MESSAGES, api_text


def field_error(code: str, /, **params: Any) -> DjangoValidationError:
    """One field's error in the API's words (api.messages), in the request's language."""
    return DjangoValidationError(api_text(code, **params), code=code)


logger = logging.getLogger(__name__)

# DRF's exception codes mapped to ours where they differ.
_CODES = {
    "invalid": "validation_error",
    "not_authenticated": "not_authenticated",
    "authentication_failed": "authentication_failed",
    "permission_denied": "permission_denied",
    "not_found": "not_found",
    "method_not_allowed": "method_not_allowed",
    "not_acceptable": "not_acceptable",
    "unsupported_media_type": "unsupported_media_type",
    "throttled": "throttled",
    "parse_error": "parse_error",
}


class ApiError(exceptions.APIException):
    """An error with one of our codes (api.messages) and its HTTP status."""

    def __init__(
        self,
        code: str,
        /,
        *,
        status_code: int,
        headers: dict | None = None,
        message: str | None = None,
        **params,
    ):
        self.status_code = status_code
        self.error_code = code
        self.headers = headers or {}
        text = message if message is not None else api_text(code, **params)
        super().__init__(detail=text, code=code)


def error_body(code: str, message: str, fields: Mapping | None = None, **extra) -> dict:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = dict(fields)
    body.update(extra)
    return {"error": body}


def validation_error_from_django(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError as DRF's, keeping each message's stable code."""
    if hasattr(error, "error_dict"):
        detail = {
            field: [exceptions.ErrorDetail(_message(e), code=e.code or "invalid") for e in errors]
            for field, errors in error.error_dict.items()
        }
    else:
        detail = {
            "non_field_errors": [
                exceptions.ErrorDetail(_message(e), code=e.code or "invalid")
                for e in error.error_list
            ]
        }
    return exceptions.ValidationError(detail)


def _message(error: DjangoValidationError) -> str:
    message = str(error.message)
    return message % error.params if error.params else message


def _flatten(detail: Any, prefix: str = "") -> tuple[dict, dict]:
    """DRF's nested error detail as {"field.sub": [messages]} and the matching codes."""
    messages: dict[str, list[str]] = {}
    codes: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            sub_messages, sub_codes = _flatten(value, name)
            messages.update(sub_messages)
            codes.update(sub_codes)
    elif isinstance(detail, list | tuple):
        leaves = [item for item in detail if not isinstance(item, Mapping | list | tuple)]
        if leaves:
            field = prefix or "non_field_errors"
            messages[field] = [str(item) for item in leaves]
            codes[field] = [getattr(item, "code", "invalid") or "invalid" for item in leaves]
        for index, item in enumerate(detail):
            if isinstance(item, Mapping | list | tuple) and item:
                sub_messages, sub_codes = _flatten(
                    item, f"{prefix}.{index}" if prefix else str(index)
                )
                messages.update(sub_messages)
                codes.update(sub_codes)
    else:
        field = prefix or "non_field_errors"
        messages[field] = [str(detail)]
        codes[field] = [getattr(detail, "code", "invalid") or "invalid"]
    return messages, codes


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every error in the one shape."""
    if isinstance(exc, DjangoValidationError):
        exc = validation_error_from_django(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if not isinstance(exc, exceptions.APIException):
        if settings.DEBUG:
            return None  # Django's debug page, with the traceback
        logger.exception("unhandled error in API view %s", type(context.get("view")).__name__)
        set_rollback()
        return Response(
            error_body("server_error", api_text("server_error")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    headers = {}
    # Set by DRF's views on NotAuthenticated and AuthenticationFailed only.
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    extra: dict[str, Any] = {}
    fields = None
    if isinstance(exc, exceptions.ValidationError):
        code = "validation_error"
        message = api_text(code)
        fields, field_codes = _flatten(exc.detail)
        extra["field_codes"] = field_codes
    elif isinstance(exc, ApiError):
        code = exc.error_code
        message = str(exc.detail)
        headers.update(exc.headers)
    else:
        codes = exc.get_codes()
        drf_code = codes if isinstance(codes, str) else exc.default_code
        code = _CODES.get(drf_code, drf_code)
        if isinstance(exc, exceptions.Throttled):
            throttled_wait = exc.wait  # type: ignore[attr-defined]  # stub gap: set in Throttled.__init__
            wait = int(throttled_wait + 0.999) if throttled_wait is not None else 1
            extra["wait"] = wait
            headers["Retry-After"] = str(wait)
            message = api_text("throttled", wait=wait)
        elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith(
            "CSRF Failed"
        ):
            # DRF's SessionAuthentication: a signed-in browser's POST without its token.
            code = "csrf_failed"
            message = api_text(code)
        elif isinstance(exc, exceptions.MethodNotAllowed):
            message = api_text(code, method=context["request"].method)
        elif code in MESSAGES:
            message = api_text(code)
        else:
            message = str(exc.detail)
        if isinstance(exc, exceptions.ParseError) and str(exc.detail):
            # Where the JSON broke helps the client's developer; it contains no data.
            extra["detail"] = str(exc.detail)
    set_rollback()
    return Response(
        error_body(code, message, fields, **extra), status=exc.status_code, headers=headers
    )


def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """Any other path under /api/: the JSON 404, never the site's HTML page."""
    language = api_language(request)
    with override(language):
        response = JsonResponse(error_body("not_found", api_text("not_found")), status=404)
    language_headers_set(response, language)
    return response


def csrf_failure(request, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: under /api/ the JSON error shape (Django's middleware
    refuses a POST to a path no API view owns before any view runs); elsewhere Django's
    own page."""
    if not request.path.startswith("/api/"):
        return django_csrf_failure(request, reason)
    language = api_language(request)
    with override(language):
        response = JsonResponse(error_body("csrf_failed", api_text("csrf_failed")), status=403)
    language_headers_set(response, language)
    return response
