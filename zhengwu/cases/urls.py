"""Case pages, mounted at /cases/ (config/urls.py). Staff pages live under /cases/staff/.

The printed QR code of a notice points to /notices/verify/<code>/ at the site root; until
config/urls.py routes that path, the same page answers at /cases/notices/verify/<code>/.
"""

from django.urls import path

from zhengwu.cases import credit_views, staff_views, verification_views, views

app_name = "cases"
urlpatterns = [
    path("apply/<str:code>/", views.apply, name="apply"),
    path("apply/<str:code>/draft/", views.apply_draft, name="apply_draft"),
    path("mine/", views.mine, name="mine"),
    path("progress/", views.progress, name="progress"),
    path("notices/verify/<str:code>/", views.notice_verify, name="notice_verify"),
    path("staff/window/", views.window, name="window"),
    path("staff/window/apply/", views.window_filing, name="window_filing"),
    path("staff/window/apply/<str:code>/", views.window_apply, name="window_apply"),
    path("staff/window/apply/<str:code>/draft/", views.window_apply_draft,
         name="window_apply_draft"),
    path("staff/proxy/apply/<str:code>/", views.proxy_apply, name="proxy_apply"),
    path("staff/todo/", views.todo, name="todo"),
    path("staff/monitoring/", views.monitoring, name="monitoring"),
    path("staff/list/", views.staff_list, name="staff_list"),
    path("staff/licence-kpis/", staff_views.licence_kpis_page, name="licence_kpis"),
    path("staff/verifications/", verification_views.worklist, name="verifications"),
    path("staff/verifications/<str:number>/", verification_views.detail, name="verification"),
    path("staff/credit-records/", verification_views.credit_records, name="credit_records"),
    path("staff/credit-repairs/", credit_views.repairs_staff, name="credit_repairs"),
    path("staff/credit-repairs/<str:number>/", credit_views.repair_staff, name="credit_repair"),
    path("credit/", credit_views.mine, name="credit_mine"),
    path("credit/enterprises/<str:uscc>/", credit_views.enterprise_public,
         name="credit_public"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/move/<str:action>/", views.case_move, name="move"),
    path("<str:number>/unmask/", views.case_unmask, name="unmask"),
    path("<str:number>/ex-officio/", views.case_ex_officio, name="ex_officio"),
    path("<str:number>/notices/<int:notice_id>.pdf", views.notice_download, name="notice_pdf"),
    path("<str:number>/materials/<int:material_id>/", views.material_download,
         name="material"),
]
