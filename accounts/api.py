"""What the API knows of staff roles: who may call an operation, and the branch a
registration or file is entered for. A branch is reached through the user's role
assignments, so this module imports no app above accounts."""

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied

from accounts.models import Role, RoleAssignment, User
from api.messages import api_text

if TYPE_CHECKING:
    # For the annotation only: partners sits above accounts (pyproject, importlinter).
    from partners.models import Branch


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


def branch_for_entry(*, user: User, code: str) -> "Branch":
    """The branch a registration or file is entered for.

    Branch staff: their branch (a `code` is needed only when they hold several).
    Supervisors: a branch of their partner, which they must name. Anyone else: 403.
    Raises ValidationError({"branch": ...}) for a branch that is not theirs.
    """
    # Only the partner roles matter here: a narrow query on the hot path of every create.
    assignments = list(
        RoleAssignment.objects.filter(user=user, role__in=PARTNER_STAFF).select_related(
            "branch__partner", "partner"
        )
    )
    # The roles' check constraints make these scopes non-null; the checks tell mypy.
    own = {
        a.branch.code: a.branch
        for a in assignments
        if a.role == Role.BRANCH_STAFF and a.branch is not None
    }
    supervised = [
        a.partner
        for a in assignments
        if a.role == Role.PARTNER_SUPERVISOR and a.partner is not None
    ]
    if not own and not supervised:
        raise PermissionDenied
    code = (code or "").strip()
    if code:
        branch = own.get(code)
        for partner in supervised:
            if branch is None:
                branch = partner.branches.select_related("partner").filter(code=code).first()
        if branch is None or not branch.is_active:
            raise ValidationError(
                {
                    "branch": ValidationError(
                        api_text("branch_not_yours", code=code), "branch_not_yours"
                    )
                }
            )
        return branch
    if len(own) == 1 and not supervised:
        return next(iter(own.values()))
    raise ValidationError(
        {"branch": ValidationError(api_text("branch_required"), "branch_required")}
    )
