"""一件事 pages, mounted at /bundles/ (config/urls.py): the public guides and the applicant's
pages (views), the 一件事 window, departments, supervisors and catalogue admins
(staff_views)."""

from django.urls import path

from zhengwu.bundles import staff_views, views

app_name = "bundles"
urlpatterns = [
    path("", views.bundle_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/supplement/", views.case_supplement, name="supplement"),
    path("cases/<str:number>/withdraw/", views.case_withdraw, name="withdraw"),
    path("cases/<str:number>/notices/<int:notice_id>.pdf", views.notice_pdf, name="notice_pdf"),
    path("notices/verify/<str:code>/", views.notice_verify, name="notice_verify"),
    path("staff/window/", staff_views.window, name="window"),
    path("staff/window/<str:number>/<str:action>/", staff_views.window_move,
         name="window_move"),
    path("staff/departments/", staff_views.department_members, name="department_members"),
    path("staff/members/<int:case_id>/supplement-request/", staff_views.supplement_request,
         name="supplement_request"),
    path("staff/kpis/", staff_views.kpis, name="kpis"),
    path("staff/kpis/<str:code>/cases/", staff_views.kpi_cases, name="kpi_cases"),
    path("staff/definitions/", staff_views.definitions, name="definitions"),
    path("staff/definitions/new/", staff_views.definition_edit, name="definition_new"),
    path("staff/definitions/<str:code>/", staff_views.definition_edit, name="definition_edit"),
    path("staff/drafts/<int:draft_id>/<str:action>/", staff_views.draft_move,
         name="draft_move"),
    path("<str:code>/", views.guide, name="guide"),
    path("<str:code>/notice.pdf", views.guide_pdf, name="guide_pdf"),
    path("<str:code>/qr.svg", views.guide_qr, name="guide_qr"),
    path("<str:code>/apply/", views.apply, name="apply"),
    # htmx partial: the question block and the summary after an answer changed.
    path("<str:code>/apply/questions/", views.apply_questions, name="apply_questions"),
    # htmx: the wizard saved as the person's draft a moment after a change (bundles.drafts).
    path("<str:code>/apply/draft/", views.apply_draft, name="apply_draft"),
]
