from django.urls import path

from zhengwu.accounts import address_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.totp_view, name="totp"),
    path("logout/", views.logout_view, name="logout"),
    path("totp/", views.totp_setup, name="totp_setup"),
    path("totp/recovery-codes/", views.recovery_codes, name="recovery_codes"),
]

# 我的空间 › 常用地址 (the overview itself is the portal's: portal:my_space).
urlpatterns += [
    path("addresses/", address_views.addresses, name="addresses"),
    path("addresses/new/", address_views.address_edit, name="address_new"),
    path("addresses/<int:address_id>/", address_views.address_edit, name="address_edit"),
    path("addresses/<int:address_id>/delete/", address_views.address_delete,
         name="address_delete"),
]
