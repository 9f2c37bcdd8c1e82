from django.urls import path

from zhengwu.accounts import signup_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.totp_view, name="totp"),
    path("logout/", views.logout_view, name="logout"),
    path("totp/", views.totp_setup, name="totp_setup"),
    path("totp/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("signup/", signup_views.signup_view, name="signup"),
    path("signup/done/", signup_views.signup_done, name="signup_done"),
    path("password/reset/", signup_views.password_reset, name="password_reset"),
    path("phone/", signup_views.phone_change, name="phone_change"),
    path("close/", signup_views.close_account, name="close"),
    path("privacy/", signup_views.privacy, name="privacy"),
    path("privacy/consent/", signup_views.consent_view, name="consent"),
]
