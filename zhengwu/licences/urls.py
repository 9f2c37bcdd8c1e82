from django.urls import path

from zhengwu.licences import views

app_name = "licences"
urlpatterns = [
    # Printed as the QR code of every licence: keep the name and the path.
    path("verify/<str:identifier>/", views.licence_verify, name="verify"),
    # Signed into every licence's credentialStatus: keep the name and the path.
    path("status/<str:issuer>/<str:purpose>/<int:number>/", views.status_list_view,
         name="status_list"),
    path("<str:identifier>/pdf/", views.licence_pdf_download, name="pdf"),
    path("<str:identifier>/credential.json", views.licence_credential_download,
         name="credential"),
]
