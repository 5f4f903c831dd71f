"""What the API knows of staff roles: who may call an operation, and the branch a
registration or file is entered for. A branch is reached through the user's role
assignments, so this module imports no app above accounts."""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection
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


def _partner_scopes(*, user_id: int) -> tuple[dict[str, "Branch"], list]:
    """The user's own branches (by code, each with its partner) and the partners they
    supervise: the partner roles only, in one statement written once. It runs on every
    create; RoleAssignment.objects.filter(...).select_related("branch__partner",
    "partner") gave the same objects but cost more to compose than to answer."""
    # The models of a higher app, reached through the relation (no import: layers).
    branch_model: Any = RoleAssignment._meta.get_field("branch").related_model
    partner_model: Any = RoleAssignment._meta.get_field("partner").related_model
    global _SCOPES_SQL
    if _SCOPES_SQL is None:
        _SCOPES_SQL = _scopes_sql(branch_model, partner_model)
    branch_fields = [f.attname for f in branch_model._meta.concrete_fields]
    partner_fields = [f.attname for f in partner_model._meta.concrete_fields]
    b, p = len(branch_fields), len(partner_fields)
    own: dict[str, Branch] = {}
    supervised = []
    with connection.cursor() as cursor:
        cursor.execute(
            _SCOPES_SQL,
            {"user": user_id, "staff": Role.BRANCH_STAFF, "supervisor": Role.PARTNER_SUPERVISOR},
        )
        rows = cursor.fetchall()
    alias = connection.alias
    # The roles' check constraints make these scopes non-null for their role.
    for role, *values in rows:
        if role == Role.BRANCH_STAFF and values[0] is not None:
            branch = branch_model.from_db(alias, branch_fields, values[:b])
            partner = partner_model.from_db(alias, partner_fields, values[b : b + p])
            branch_model.partner.field.set_cached_value(branch, partner)
            own[branch.code] = branch
        elif role == Role.PARTNER_SUPERVISOR and values[b + p] is not None:
            supervised.append(partner_model.from_db(alias, partner_fields, values[b + p :]))
    return own, supervised


def _scopes_sql(branch_model, partner_model) -> str:
    quote = connection.ops.quote_name

    def columns(model, alias: str) -> str:
        return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)

    return (
        f"SELECT a.role, {columns(branch_model, 'b')}, {columns(partner_model, 'bp')},"  # noqa: S608
        f" {columns(partner_model, 'sp')} FROM {quote(RoleAssignment._meta.db_table)} a"
        f" LEFT JOIN {quote(branch_model._meta.db_table)} b ON b.id = a.branch_id"
        f" LEFT JOIN {quote(partner_model._meta.db_table)} bp ON bp.id = b.partner_id"
        f" LEFT JOIN {quote(partner_model._meta.db_table)} sp ON sp.id = a.partner_id"
        " WHERE a.user_id = %(user)s AND a.role IN (%(staff)s, %(supervisor)s)"
        " ORDER BY a.id"
    )


_SCOPES_SQL: str | None = None


def branch_for_entry(*, user: User, code: str) -> "Branch":
    """The branch a registration or file is entered for.

    Branch staff: their branch (a `code` is needed only when they hold several).
    Supervisors: a branch of their partner, which they must name. Anyone else: 403.
    Raises ValidationError({"branch": ...}) for a branch that is not theirs.
    """
    own, supervised = _partner_scopes(user_id=user.pk)
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
