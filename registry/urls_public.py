"""Public URLs of the registry, printed on cards: included at `verify/` by onboarding.urls."""

from django.urls import path

from registry.views.verify import (
    verify_form,
    verify_keys,
    verify_manifest,
    verify_offline,
    verify_result,
    verify_service_worker,
    verify_signed,
)

app_name = "verify"

urlpatterns = [
    path("", verify_form, name="form"),
    # Before <number>/: none of these is a registration number.
    path("keys/", verify_keys, name="keys"),
    path("offline/", verify_offline, name="offline"),
    path("manifest.webmanifest", verify_manifest, name="manifest"),
    path("sw.js", verify_service_worker, name="service_worker"),
    path("<str:number>/", verify_result, name="result"),
    path("<str:number>/<str:token>/", verify_signed, name="signed"),
]
