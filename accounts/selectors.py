from django.db.models import QuerySet
from django.urls import reverse

from accounts.models import Role, RoleAssignment, User

# Where each role lands after signing in. Order = precedence when a user holds several.
ROLE_HOME = {
    Role.ADMINISTRATOR: "dashboards:system",
    Role.MINISTRY_OFFICER: "dashboards:dashboard",
    Role.PROGRAMME_OFFICER: "programmes:list",
    Role.CAMPAIGN_ORGANISER: "campaigns:list",
    Role.PARTNER_SUPERVISOR: "partners:branch_home",
    Role.BRANCH_STAFF: "partners:branch_home",
}


def user_assignments(*, user: User) -> QuerySet[RoleAssignment]:
    if not user.is_authenticated:
        return RoleAssignment.objects.none()
    return user.role_assignments.select_related(
        "branch__partner", "partner", "province", "district", "commune", "programme"
    )


def user_roles(*, user: User) -> set[str]:
    roles = {a.role for a in user_assignments(user=user)}
    if user.is_authenticated and user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    return roles


def user_has_role(*, user: User, roles: set[str] | list[str] | tuple[str, ...]) -> bool:
    return bool(user_roles(user=user) & set(roles))


def user_home_url(*, user: User) -> str | None:
    roles = user_roles(user=user)
    for role, url_name in ROLE_HOME.items():
        if role in roles:
            return reverse(url_name)
    return None
