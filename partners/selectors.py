from django.db.models import Count, QuerySet

from accounts.models import Role, User
from accounts.selectors import user_assignments
from partners.models import Branch
from registry.models import Person


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


def registrations_made_by(*, user: User) -> QuerySet[Person]:
    """Every record the user's branches registered, whatever became of it since.

    Unlike the applicant list, a record merged into another (the person was already
    registered, maybe at another partner) or withdrawn stays here, with its status: the
    branch keeps the account of its own work. What it learns of the other record is
    only that it exists (README, "What a branch may learn"): never its number, partner,
    branch or details.
    """
    return (
        Person.objects.filter(branch__in=branch_list_for(user=user))
        .select_related("branch", "entered_by")
        .order_by("-created_at", "-id")
    )


def registration_status_counts(*, people: QuerySet[Person]) -> dict[str, int]:
    counts = dict.fromkeys(Person.Status.values, 0)
    for row in people.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts
