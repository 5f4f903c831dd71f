from django.urls import path

from campaigns import views

app_name = "campaigns"

# The campaign page, its figures, event mode and /campaigns/coverage/ are outreach's
# (outreach/urls.py, mounted under /campaigns/ too).
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_new, name="new"),
    path("<slug:code>/edit/", views.campaign_edit, name="edit"),
    path("<slug:code>/poster.pdf", views.campaign_poster, name="poster"),
    path("<slug:code>/events/new/", views.event_new, name="event_new"),
    path("<slug:code>/events/<slug:event_code>/edit/", views.event_edit, name="event_edit"),
    path(
        "<slug:code>/events/<slug:event_code>/poster.pdf",
        views.event_poster,
        name="event_poster",
    ),
]
