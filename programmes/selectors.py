from django.db.models import QuerySet

from accounts.models import Role, User
from accounts.selectors import user_assignments, user_roles
from programmes.models import Programme


def programme_list_visible_to(*, user: User) -> QuerySet[Programme]:
    """Administrators see every programme; programme officers the ones they serve."""
    if Role.ADMINISTRATOR in user_roles(user=user):
        return Programme.objects.all()
    ids = [a.programme_id for a in user_assignments(user=user) if a.programme_id]
    return Programme.objects.filter(pk__in=ids)
