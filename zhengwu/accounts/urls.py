from django.urls import path

from zhengwu.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.totp_view, name="totp"),
    path("logout/", views.logout_view, name="logout"),
    path("totp/", views.totp_setup, name="totp_setup"),
    path("totp/recovery-codes/", views.recovery_codes, name="recovery_codes"),
]
