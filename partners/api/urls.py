"""Bulk-intake endpoints under /api/v1/ (mounted by onboarding/api_urls.py)."""

from django.urls import path

from partners.api import views

urlpatterns = [
    path("intake-batches/", views.IntakeBatchListCreate.as_view(), name="intake-batch-list"),
    path("intake-batches/<int:pk>/", views.IntakeBatchDetail.as_view(), name="intake-batch-detail"),
    path(
        "intake-batches/<int:pk>/commit/",
        views.IntakeBatchCommit.as_view(),
        name="intake-batch-commit",
    ),
    path("intake-batches/<int:pk>/rows/", views.IntakeRowList.as_view(), name="intake-batch-rows"),
]
