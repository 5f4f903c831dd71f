"""Programme API under /api/v1/programme/ (mounted by onboarding/api_urls.py)."""

from django.urls import path

from sharing.api import views

urlpatterns = [
    path("programme/exports/", views.ExportJobList.as_view(), name="programme-export-list"),
    path(
        "programme/exports/<int:pk>/file/", views.ExportFile.as_view(), name="programme-export-file"
    ),
    path("programme/delta/", views.DeltaFeed.as_view(), name="programme-delta"),
]
