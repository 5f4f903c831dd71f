from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required
from accounts.types import AuthenticatedHttpRequest
from programmes.selectors import programme_list_visible_to


@login_required
@role_required(Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR)
def programme_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    programmes = programme_list_visible_to(user=request.user)
    return render(request, "programmes/list.html", {"programmes": programmes})
