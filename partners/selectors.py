from django.db.models import Count, QuerySet

from accounts.models import Role, User
from accounts.selectors import user_assignments
from partners.models import Branch


def branch_list_for(*, user: User) -> QuerySet[Branch]:
    """Branches whose applicants `user` works with: their own, or all of their partner's."""
    branch_ids: set[int] = set()
    partner_ids: set[int] = set()
    # The roles' check constraints make these scopes non-null; the checks tell mypy.
    for a in user_assignments(user=user):
        if a.role == Role.BRANCH_STAFF and a.branch_id is not None:
            branch_ids.add(a.branch_id)
        elif a.role == Role.PARTNER_SUPERVISOR and a.partner_id is not None:
            partner_ids.add(a.partner_id)
    return (
        Branch.objects.filter(pk__in=branch_ids) | Branch.objects.filter(partner_id__in=partner_ids)
    ).select_related("partner", "province")


def branch_counts(*, branches: QuerySet[Branch]) -> list[Branch]:
    return list(
        branches.annotate(applicants=Count("registrants")).order_by("partner__name", "name")
    )
