"""惠企政策 pages, mounted at /policies/ (config/urls.py, docs/policies.md)."""

from django.urls import path

from zhengwu.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.library, name="library"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/interpretations/new/", views.interpretation_new,
         name="interpretation_new"),
    path("documents/<int:pk>/status/", views.document_status, name="document_status"),
    path("documents/<int:pk>/files/new/", views.file_new, name="file_new"),
    path("documents/<int:pk>/files/<int:file_id>/", views.file_get, name="file"),
    path("mine/", views.mine, name="mine"),
    path("staff/", views.benefits_staff, name="benefits_staff"),
    path("staff/new/", views.benefit_new, name="benefit_new"),
    path("staff/facts/", views.fact_files, name="fact_files"),
    path("staff/documents/new/", views.document_new, name="document_new"),
    path("staff/<str:code>/", views.benefit_staff, name="benefit_staff"),
    path("staff/<str:code>/rules/new/", views.rule_new, name="rule_new"),
    path("staff/<str:code>/grant-lists/", views.grant_list_prepare, name="grant_list_prepare"),
    path("staff/<str:code>/grant-lists/<str:number>/", views.grant_list_move,
         name="grant_list_move"),
    path("staff/<str:code>/grants/<int:grant_id>/payment/", views.grant_payment,
         name="grant_payment"),
]
