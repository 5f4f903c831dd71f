from django.urls import path

from geography import views

app_name = "geography"

urlpatterns = [
    path("picker/", views.picker, name="picker"),
    path("search/", views.search, name="search"),
]
