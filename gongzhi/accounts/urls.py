from django.contrib.auth import views as auth_views
from django.urls import path

from gongzhi.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("login/second-factor/", views.second_factor, name="mfa"),
    path("login/phone/", views.phone_sign_in, name="phone"),
    path("login/phone/restart/", views.phone_restart, name="phone_restart"),
    path("second-factor/setup/", views.second_factor_setup, name="mfa_setup"),
    path("second-factor/reset/", views.second_factor_reset, name="mfa_reset"),
    path("reauth/", views.reauthenticate, name="reauth"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("password/set/", views.password_set, name="password_set"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("me/", views.me, name="me"),
    path("me/copy.<str:fmt>", views.me_copy, name="me_copy"),
    path("requests/", views.request_queue, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("security/", views.security, name="security"),
]
