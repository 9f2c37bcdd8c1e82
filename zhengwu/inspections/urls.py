"""互联网+监管 pages, mounted at /inspections/ (config/urls.py, docs/inspections.md)."""

from django.urls import path

from zhengwu.inspections import staff_views, views

app_name = "inspections"
urlpatterns = [
    path("", views.items, name="items"),
    path("items/new/", views.item_new, name="item_new"),
    path("staff/inspectors/", views.inspectors, name="inspectors"),
    path("staff/inspectors/new/", views.inspector_new, name="inspector_new"),
    path("staff/conflicts/new/", views.conflict_new, name="conflict_new"),
    path("results/", staff_views.results_page, name="results"),
    path("plans/", staff_views.plans_page, name="plans"),
    path("staff/plans/", staff_views.staff_plans, name="staff_plans"),
    path("staff/plans/new/", staff_views.plan_new, name="plan_new"),
    path("staff/plans/<str:number>/", staff_views.staff_plan, name="staff_plan"),
    path("staff/mine/", staff_views.mine, name="mine"),
    path("staff/inspections/<int:pk>/result/", staff_views.inspection_result,
         name="inspection_result"),
]
