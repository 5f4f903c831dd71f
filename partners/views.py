from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required
from partners.selectors import branch_counts, branch_list_for
from registry.selectors.people import person_list_visible_to, person_search

PAGE_SIZE = 25


@login_required
@role_required(Role.BRANCH_STAFF, Role.PARTNER_SUPERVISOR)
def branch_home(request: HttpRequest) -> HttpResponse:
    """The counter: this branch's applicants (or the partner's, for a supervisor)."""
    query = request.GET.get("q", "")
    people = person_search(queryset=person_list_visible_to(user=request.user), query=query)
    people = people.select_related("village__commune__district__province", "branch")
    page = Paginator(people.order_by("-created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "branches": branch_counts(branches=branch_list_for(user=request.user)),
        "page": page,
        "query": query,
    }
    return render(request, "partners/branch_home.html", context)
