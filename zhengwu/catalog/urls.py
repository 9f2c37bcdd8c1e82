from django.urls import path

from zhengwu.catalog import views

app_name = "catalog"
urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/click/", views.search_click, name="search_click"),
    path("guide/<str:code>/", views.guide, name="guide"),
    path("guide/<str:code>/notice.pdf", views.guide_notice_pdf, name="notice_pdf"),
    path("guide/<str:code>/qr.<str:kind>", views.guide_qr, name="qr"),
    path("guide/<str:code>/versions/", views.versions_page, name="versions"),
    path("lists/", views.lists_index, name="lists"),
    path("lists/<str:kind>/", views.list_page, name="list"),
    path("kpis/", views.kpi_page, name="kpis"),
    path("kpis/<str:key>/misses/", views.kpi_misses_page, name="kpi_misses"),
    path("staff/catalog/quality/", views.quality_page, name="quality"),
    path("staff/catalog/search-terms/", views.search_terms_page, name="search_terms"),
    path("staff/catalog/compare/", views.compare_index, name="compare_index"),
    path("staff/catalog/compare/<str:basic_code>/", views.compare_page, name="compare"),
    path("staff/catalog/delegation/", views.delegation_page, name="delegation"),
    path("staff/catalog/implementations/<int:pk>/edit/", views.edit_page, name="edit"),
    path("staff/catalog/drafts/", views.drafts_page, name="drafts"),
    path("staff/catalog/import/", views.import_page, name="import"),
    path("staff/catalog/import/<int:pk>/", views.import_status, name="import_status"),
]
