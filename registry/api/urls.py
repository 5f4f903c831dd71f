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
    path("geography/provinces/", views.ProvinceList.as_view(), name="province-list"),
    path("geography/districts/", views.DistrictList.as_view(), name="district-list"),
    path("geography/communes/", views.CommuneList.as_view(), name="commune-list"),
    path("geography/villages/", views.VillageList.as_view(), name="village-list"),
]
