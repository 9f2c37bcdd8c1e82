from django.urls import path

from zhengwu.accounts import identity_views, sso_views, views

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
    # 实名认证 and 授权管理 (accounts.identity_views).
    path("verify/", identity_views.verify, name="verify"),
    path("authorizations/", identity_views.authorizations, name="authorizations"),
    path("authorizations/<int:pk>/confirm/", identity_views.authorization_confirm,
         name="authorization_confirm"),
    path("authorizations/<int:pk>/revoke/", identity_views.authorization_revoke,
         name="authorization_revoke"),
    path("authorizations/<int:pk>/letter/", identity_views.authorization_letter,
         name="authorization_letter"),
    path("authorizations/<int:pk>/letter/check/", identity_views.authorization_letter_check,
         name="authorization_letter_check"),
    path("window/verify/", identity_views.window_verify, name="window_verify"),
]
