"""一件事 pages, mounted at /bundles/ (config/urls.py)."""

from django.urls import path

from zhengwu.bundles import views

app_name = "bundles"
urlpatterns = [
    path("", views.bundle_list, name="list"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("<str:code>/", views.guide, name="guide"),
]
