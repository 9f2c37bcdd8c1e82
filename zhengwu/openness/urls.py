"""政务公开 pages, mounted at /openness/ (config/urls.py, docs/openness.md)."""

from django.urls import path

from zhengwu.openness import media_views, notice_views, views

app_name = "openness"
urlpatterns = [
    path("", views.column, name="column"),
    path("staff/column/", views.staff_column, name="staff_column"),
    path("staff/column/<int:pk>/withdraw/", views.staff_column_withdraw,
         name="staff_column_withdraw"),
    path("new-media/", media_views.public_list, name="media_list"),
    path("staff/new-media/", media_views.staff_list, name="media_staff"),
    path("staff/new-media/<int:pk>/", media_views.staff_account, name="media_account"),
    path("requests/new/", views.new, name="new"),
    path("requests/", views.mine, name="mine"),
    path("requests/<str:number>/", views.detail, name="detail"),
    path("requests/<str:number>/files/<int:pk>/", views.attachment, name="attachment"),
    path("requests/<str:number>/notice.pdf", notice_views.notice_pdf, name="notice_pdf"),
    path("notices/<str:code>/", notice_views.notice_verify, name="notice_verify"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_new, name="staff_new"),
    path("staff/<str:number>/", views.staff_detail, name="staff_detail"),
]
