"""What an administrator checks first (/accounts/system/)."""

from django.db.models import Count

from accounts.models import RoleAssignment, User
from geography.models import Commune, Province, Village
from partners.models import Branch, Partner
from programmes.models import Programme
from registry.models import Person


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
