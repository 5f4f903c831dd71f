from django.urls import path

from shell import views

app_name = "shell"

urlpatterns = [
    path("help/", views.help_page, name="help"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("emblem", views.emblem, name="emblem"),
]
