from django.urls import path

from sharing import views

app_name = "sharing"

# Under /programmes/, beside the catalogue's list (programmes.urls).
urlpatterns = [
    path("targeting/", views.targeting, name="targeting"),
    path("exports/<int:pk>/", views.export_detail, name="export"),
    path("exports/<int:pk>/progress/", views.export_progress, name="export_progress"),
    path("exports/<int:pk>/file/", views.export_file, name="export_file"),
    path("schedules/<int:pk>/remove/", views.schedule_remove, name="schedule_remove"),
    path("<slug:code>/", views.programme_detail, name="programme"),
    path("<slug:code>/rule/", views.rule_edit, name="rule"),
    path("<slug:code>/rule/count/", views.rule_count, name="rule_count"),
    path("<slug:code>/settings/", views.programme_settings, name="settings"),
    path("<slug:code>/exports/", views.export_ask, name="export_ask"),
    path("<slug:code>/schedules/", views.schedule_add, name="schedule_add"),
    path("<slug:code>/api-key/", views.token_rotate, name="token_rotate"),
]
