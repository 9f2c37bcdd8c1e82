from django.urls import path

from zhengwu.portal import schedule, views

app_name = "staff"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("audit/", views.audit_page, name="audit"),
    path("workdays/schedule/", schedule.schedule_year_page, name="schedule_year"),
]
