"""The registrant API under /api/v1/registrant/ (mounted by onboarding/api_urls.py)."""

from django.urls import path

from registry.api import registrant_signin as signin
from registry.api import registrant_views as views

urlpatterns = [
    path("code/", signin.CodeRequest.as_view(), name="registrant-code"),
    path("token/", signin.TokenCreate.as_view(), name="registrant-token"),
    path("token/refresh/", signin.TokenRefresh.as_view(), name="registrant-token-refresh"),
    path("token/revoke/", signin.TokenRevoke.as_view(), name="registrant-token-revoke"),
    path("records/", views.Records.as_view(), name="registrant-records"),
    path("records/<str:number>/", views.Record.as_view(), name="registrant-record"),
    path(
        "records/<str:number>/history/",
        views.RecordHistory.as_view(),
        name="registrant-record-history",
    ),
    path(
        "records/<str:number>/consents/",
        views.RecordConsents.as_view(),
        name="registrant-record-consents",
    ),
    path(
        "records/<str:number>/consents/<str:purpose>/",
        views.RecordConsent.as_view(),
        name="registrant-record-consent",
    ),
    path(
        "records/<str:number>/leave/", views.RecordLeave.as_view(), name="registrant-record-leave"
    ),
    path(
        "records/<str:number>/card.<str:fmt>",
        views.RecordCard.as_view(),
        name="registrant-record-card",
    ),
]
