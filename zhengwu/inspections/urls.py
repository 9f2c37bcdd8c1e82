"""互联网+监管 pages, mounted at /inspections/ (config/urls.py, docs/inspections.md)."""

from django.urls import path

from zhengwu.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.items, name="items"),
    path("items/new/", views.item_new, name="item_new"),
    path("staff/inspectors/", views.inspectors, name="inspectors"),
    path("staff/inspectors/new/", views.inspector_new, name="inspector_new"),
    path("staff/conflicts/new/", views.conflict_new, name="conflict_new"),
]
