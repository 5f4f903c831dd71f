"""/branch/registrations/: everyone the branch registered, merged and withdrawn included."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required
from accounts.types import AuthenticatedHttpRequest
from partners.selectors import registration_status_counts, registrations_made_by

PAGE_SIZE = 50


@login_required
@role_required(Role.BRANCH_STAFF, Role.PARTNER_SUPERVISOR)
def registrations(request: AuthenticatedHttpRequest) -> HttpResponse:
    people = registrations_made_by(user=request.user)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "counts": registration_status_counts(people=people)}
    return render(request, "partners/registrations.html", context)
