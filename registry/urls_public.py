"""Public URLs of the registry, printed on cards: included at `verify/` by onboarding.urls."""

from django.urls import path

from registry.views.verify import verify_form, verify_result

app_name = "verify"

urlpatterns = [
    path("", verify_form, name="form"),
    path("<str:number>/", verify_result, name="result"),
]
