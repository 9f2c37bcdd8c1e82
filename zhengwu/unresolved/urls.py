"""办不成事反映 pages, mounted at /unresolved/ (config/urls.py, docs/unresolved.md)."""

from django.urls import path

from zhengwu.unresolved import views

app_name = "unresolved"
urlpatterns = [
    path("", views.public, name="public"),
    path("new/", views.new, name="new"),
    path("track/", views.track, name="track"),
    path("mine/", views.mine, name="mine"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_new, name="staff_new"),
    path("staff/overview/", views.staff_overview, name="staff_overview"),
    path("staff/<str:number>/", views.staff_detail, name="staff_detail"),
    path("<str:number>/", views.detail, name="detail"),
]
