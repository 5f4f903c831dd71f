"""Aggregates for the dashboards: counts and breakdowns, never a list of people."""

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth

from accounts.models import RoleAssignment, User
from geography.models import Commune, Province, Village
from partners.models import Branch, Partner
from programmes.models import Programme
from registry.models import Person


def registry_statistics(*, queryset: QuerySet[Person]) -> dict:
    """Aggregates for dashboards: totals and breakdowns of active registrants."""
    active = queryset.filter(status=Person.Status.ACTIVE)

    def breakdown(field: str) -> list[dict]:
        return list(active.values(field).annotate(n=Count("id")).order_by("-n"))

    by_province = list(
        active.values(
            "village__commune__district__province__code",
            "village__commune__district__province__name_km",
            "village__commune__district__province__name_en",
        )
        .annotate(n=Count("id"))
        .order_by("village__commune__district__province__code")
    )
    by_month = list(
        active.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    return {
        "total": active.count(),
        "women": active.filter(sex="F").count(),
        "withdrawn": queryset.filter(status=Person.Status.WITHDRAWN).count(),
        "by_actor_type": breakdown("actor_type"),
        "by_sector": breakdown("sector"),
        "by_channel": breakdown("channel"),
        "by_province": by_province,
        "by_month": by_month,
    }


def system_overview() -> dict:
    """What an administrator checks first: users and roles, partners, programmes, the
    registry's size and the gazetteer's (with the official list's defects)."""
    role_counts = dict(
        RoleAssignment.objects.values_list("role").annotate(n=Count("id")).order_by()
    )
    return {
        "role_counts": role_counts,
        "user_count": User.objects.count(),
        "partner_count": Partner.objects.count(),
        "branch_count": Branch.objects.count(),
        "programme_count": Programme.objects.count(),
        "person_count": Person.objects.count(),
        "geography": {
            "provinces": Province.objects.count(),
            "communes": Commune.objects.count(),
            "villages": Village.objects.count(),
            "communes_not_in_source": Commune.objects.filter(in_source=False).count(),
        },
    }
