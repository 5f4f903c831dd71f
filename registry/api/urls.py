"""Registry endpoints under /api/v1/ (mounted by onboarding/api_urls.py)."""

from django.urls import path

from registry.api import views

urlpatterns = [
    path("registrants/", views.RegistrantListCreate.as_view(), name="registrant-list"),
    # Before the detail route: "search" is not a registration number.
    path("registrants/search/", views.RegistrantSearch.as_view(), name="registrant-search"),
    path(
        "registrants/<str:registration_number>/",
        views.RegistrantDetail.as_view(),
        name="registrant-detail",
    ),
]
