from django.urls import path

from zhengwu.sharing import views

app_name = "sharing"
urlpatterns = [
    path("my/data-uses/", views.my_uses, name="my_uses"),
    path("sharing/items/", views.catalogue_page, name="catalogue"),
    path("sharing/items/<str:code>/preview/", views.preview, name="preview"),
    path("sharing/requests/<int:pk>/", views.request_detail, name="request"),
]
