from django.urls import path

from zhengwu.licences import views

app_name = "licences"
urlpatterns = [
    # Printed as the QR code of every licence: keep the name and the path.
    path("verify/<str:identifier>/", views.licence_verify, name="verify"),
    path("<str:identifier>/pdf/", views.licence_pdf_download, name="pdf"),
    path("<str:identifier>/credential.json", views.licence_credential_download,
         name="credential"),
]
