from django.urls import path

from zhengwu.accounts import sso_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.totp_view, name="totp"),
    path("logout/", views.logout_view, name="logout"),
    path("totp/", views.totp_setup, name="totp_setup"),
    path("totp/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    # Single sign-on through the identity platform (accounts/sso.py); 404 when not configured.
    path("sso/", sso_views.sso_page, name="sso"),
    path("sso/login/", sso_views.sso_login, name="sso_login"),
    path("sso/callback/", sso_views.sso_callback, name="sso_callback"),
    path("sso/link/", sso_views.sso_link, name="sso_link"),
]
