from django.urls import path

from zhengwu.licences import views

app_name = "licences"
urlpatterns = [
    # Printed as the QR code of every licence: keep the name and the path.
    path("verify/<str:identifier>/", views.licence_verify, name="verify"),
    # Signed into every licence's credentialStatus: keep the name and the path.
    path("status/<str:issuer>/<str:purpose>/<int:number>/", views.status_list_view,
         name="status_list"),
    # 亮证码: the form, and the address the 亮证 QR holds.
    path("presented/", views.licence_present_check, name="present_check"),
    path("presented/<str:code>/", views.licence_present_check, name="presented"),
    path("mine/<str:identifier>/", views.licence_mine, name="mine"),
    path("mine/<str:identifier>/present/", views.licence_present, name="present"),
    path("<str:identifier>/pdf/", views.licence_pdf_download, name="pdf"),
    path("<str:identifier>/credential.json", views.licence_credential_download,
         name="credential"),
]
