"""Gazetteer endpoints under /api/v1/ (mounted by onboarding/api_urls.py)."""

from django.urls import path

from geography.api import views

urlpatterns = [
    path("geography/provinces/", views.ProvinceList.as_view(), name="province-list"),
    path("geography/districts/", views.DistrictList.as_view(), name="district-list"),
    path("geography/communes/", views.CommuneList.as_view(), name="commune-list"),
    path("geography/villages/", views.VillageList.as_view(), name="village-list"),
]
