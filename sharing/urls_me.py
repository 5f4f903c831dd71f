from django.urls import path

from sharing import views_me

app_name = "sharing_me"

# Under /me/, beside the registry's own pages (registry.urls).
urlpatterns = [
    path("<str:number>/programmes/", views_me.programmes, name="programmes"),
    path("<str:number>/programmes/<slug:code>/", views_me.consent, name="consent"),
]
