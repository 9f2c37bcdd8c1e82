from django.urls import path

from zhengwu.portal import views

app_name = "staff"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("audit/", views.audit_page, name="audit"),
]
