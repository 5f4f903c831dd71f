"""Under /api/v1/registrant/, beside the registry's registrant API (registry.api.registrant_urls)."""

from django.urls import path

from tracker.api.registrant import RecordNotices, RecordQuestion, RecordTracker

urlpatterns = [
    path(
        "records/<str:number>/tracker/",
        RecordTracker.as_view(),
        name="registrant-record-tracker",
    ),
    path(
        "records/<str:number>/tracker/questions/",
        RecordQuestion.as_view(),
        name="registrant-record-tracker-question",
    ),
    path(
        "records/<str:number>/tracker/notices/",
        RecordNotices.as_view(),
        name="registrant-record-tracker-notices",
    ),
]
