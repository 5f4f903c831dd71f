"""Registry endpoints under /api/v1/ (mounted by onboarding/api_urls.py)."""

from django.urls import path

from registry.api import views

urlpatterns = [
    path("registrants/", views.RegistrantListCreate.as_view(), name="registrant-list"),
    path(
        "registrants/<str:registration_number>/",
        views.RegistrantDetail.as_view(),
        name="registrant-detail",
    ),
]
