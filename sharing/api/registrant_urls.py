"""Under /api/v1/registrant/, beside the registry's registrant API (registry.api.registrant_urls)."""

from django.urls import path

from sharing.api.registrant import RecordProgrammes

urlpatterns = [
    path(
        "records/<str:number>/programmes/",
        RecordProgrammes.as_view(),
        name="registrant-record-programmes",
    ),
]
