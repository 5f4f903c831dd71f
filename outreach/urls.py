from django.urls import path

from outreach import views

app_name = "outreach"

# Mounted under /campaigns/ beside campaigns/urls.py (planning, posters).
urlpatterns = [
    path("coverage/", views.coverage_view, name="coverage"),
    path("<slug:code>/", views.campaign_page, name="campaign"),
    path("<slug:code>/figures.csv", views.campaign_csv, name="campaign_csv"),
    path(
        "<slug:code>/events/<slug:event_code>/register/",
        views.event_register,
        name="event_register",
    ),
]
