"""督查督办 pages, mounted at /plan/ (config/urls.py, docs/plan.md)."""

from django.urls import path

from zhengwu.plan import views

app_name = "plan"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("reports/<int:pk>/evidence/", views.evidence, name="evidence"),
]
