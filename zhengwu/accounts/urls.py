from django.urls import path

from zhengwu.accounts import address_views, identity_views, signup_views, sso_views, views

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
    path("signup/", signup_views.signup_view, name="signup"),
    path("signup/done/", signup_views.signup_done, name="signup_done"),
    path("password/reset/", signup_views.password_reset, name="password_reset"),
    path("phone/", signup_views.phone_change, name="phone_change"),
    path("close/", signup_views.close_account, name="close"),
    path("privacy/", signup_views.privacy, name="privacy"),
    path("privacy/consent/", signup_views.consent_view, name="consent"),
]

# 我的空间 › 常用地址 (the overview itself is the portal's: portal:my_space).
urlpatterns += [
    path("addresses/", address_views.addresses, name="addresses"),
    path("addresses/new/", address_views.address_edit, name="address_new"),
    path("addresses/<int:address_id>/", address_views.address_edit, name="address_edit"),
    path("addresses/<int:address_id>/delete/", address_views.address_delete,
         name="address_delete"),
]
