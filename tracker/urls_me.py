from django.urls import path

from tracker import views

app_name = "tracker_me"

# Under /me/, beside the registry's own pages (registry.urls).
urlpatterns = [
    path("<str:number>/tracker/", views.tracker, name="tracker"),
    path("<str:number>/tracker/ask/", views.ask, name="ask"),
    path("<str:number>/tracker/withdraw/<slug:code>/", views.withdraw, name="withdraw"),
    path("<str:number>/tracker/notices/", views.notices, name="notices"),
]
