"""What every API view shares: the request's language, roles, the branch a write is for,
and the error responses each operation documents.

Shared by registry/api and partners/api (partners already depends on registry).
"""

from django.core.exceptions import ValidationError
from django.utils import translation
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied

from accounts.models import Role, RoleAssignment
from partners.models import Branch
from partners.selectors import branch_list_for
from registry.api.language import api_language, language_headers_set
from registry.api.messages import api_text


class ApiLanguageMixin:
    """Run the whole request (errors included) in the language of Accept-Language."""

    def dispatch(self, request, *args, **kwargs):
        language = api_language(request)
        with translation.override(language):
            response = super().dispatch(request, *args, **kwargs)
            if not getattr(response, "is_rendered", True):
                response.render()
        language_headers_set(response, language)
        return response


class HasAnyRole(permissions.BasePermission):
    """The user holds a role the view's `required_roles[method]` names.

    Superusers count as administrators. Collections (lists, uploads) are refused with
    403 to roles that have none; a single object outside the user's scope answers 404
    from the view's scoped queryset instead.
    """

    def has_permission(self, request, view) -> bool:
        roles = getattr(view, "required_roles", {}).get(request.method)
        if not roles:
            return True
        user = request.user
        if user.is_superuser and Role.ADMINISTRATOR in roles:
            return True
        # As accounts.selectors.user_roles, without loading every scope (one EXISTS).
        return RoleAssignment.objects.filter(user=user, role__in=roles).exists()


# Roles whose members see registrant lists (programme officers see exports only).
REGISTRANT_READERS = frozenset(
    {
        Role.BRANCH_STAFF,
        Role.PARTNER_SUPERVISOR,
        Role.CAMPAIGN_ORGANISER,
        Role.MINISTRY_OFFICER,
        Role.ADMINISTRATOR,
    }
)
# Partner staff enter registrants and files for a branch.
PARTNER_STAFF = frozenset({Role.BRANCH_STAFF, Role.PARTNER_SUPERVISOR})


def branch_for_entry(*, user, code: str) -> Branch:
    """The branch a registration or file is entered for.

    Branch staff: their branch (a `code` is needed only when they hold several).
    Supervisors: a branch of their partner, which they must name. Anyone else: 403.
    Raises ValidationError({"branch": ...}) for a branch that is not theirs.
    """
    # Only the partner roles matter here: a narrow query on the hot path of every create.
    assignments = list(
        RoleAssignment.objects.filter(user=user, role__in=PARTNER_STAFF).select_related(
            "branch__partner"
        )
    )
    own = {a.branch.code: a.branch for a in assignments if a.role == Role.BRANCH_STAFF}
    supervises = any(a.role == Role.PARTNER_SUPERVISOR for a in assignments)
    if not own and not supervises:
        raise PermissionDenied
    code = (code or "").strip()
    if code:
        branch = own.get(code)
        if branch is None and supervises:
            branch = branch_list_for(user=user).filter(code=code).first()
        if branch is None or not branch.is_active:
            raise ValidationError(
                {
                    "branch": ValidationError(
                        api_text("branch_not_yours", code=code), "branch_not_yours"
                    )
                }
            )
        return branch
    if len(own) == 1 and not supervises:
        return next(iter(own.values()))
    raise ValidationError(
        {"branch": ValidationError(api_text("branch_required"), "branch_required")}
    )


def error_responses(*statuses: int) -> dict:
    """The documented error answers of an operation, all in the one error shape."""
    from registry.api.serializers import ErrorSerializer

    descriptions = {
        400: "Invalid input: `error.fields` names each field's problems.",
        401: "No token or session, or an invalid one.",
        403: "Your role may not do this.",
        404: "Not found, or outside your scope.",
        409: "Conflict (an `Idempotency-Key` request still running, or a state conflict).",
        413: "The request body is too large.",
        415: "Unsupported content type.",
        422: "The `Idempotency-Key` was already used for a different request.",
        429: "Throttled: `error.wait` seconds (also in Retry-After).",
    }
    return {
        status: OpenApiResponse(ErrorSerializer, description=descriptions[status])
        for status in statuses
    }
