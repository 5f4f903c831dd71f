from django.urls import path

from registry.views import geography, pages

app_name = "registry"

urlpatterns = [
    path("me/", pages.me, name="me"),
    path("programmes/", pages.programmes, name="programmes"),
    path("geo/picker/", geography.picker, name="geo_picker"),
    path("geo/search/", geography.search, name="geo_search"),
]
