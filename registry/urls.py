from django.urls import path, re_path

from registry.views import me, register

app_name = "registry"

urlpatterns = [
    path("register/", register.start, name="register"),
    path("register/done/", register.done, name="register_done"),
    path("register/<slug:step>/", register.step_view, name="register_step"),
    path("me/", me.home, name="me"),
    path("me/code/", me.code, name="me_code"),
    path("me/sign-out/", me.sign_out, name="me_sign_out"),
    path("me/<str:number>/", me.detail, name="me_person"),
    path("me/<str:number>/edit/", me.edit, name="me_edit"),
    path("me/<str:number>/consents/", me.consents, name="me_consents"),
    path("me/<str:number>/leave/", me.leave, name="me_leave"),
    re_path(r"^me/(?P<number>[^/]+)/card\.(?P<fmt>png|pdf)$", me.card, name="me_card"),
]
