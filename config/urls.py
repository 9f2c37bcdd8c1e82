"""URL wiring: portal, staff workbench, admin, API, health and metrics (architecture.md)."""

from django.contrib import admin
from django.urls import include, path

from config.api import api
from zhengwu.cases import views as cases_views
from zhengwu.core import views as core_views
from zhengwu.licences import views as licences_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("zhengwu.accounts.urls")),
    path("staff/joint-reviews/", include("zhengwu.jointreviews.urls")),
    path("staff/", include("zhengwu.portal.staff_urls")),
    path("cases/", include("zhengwu.cases.urls")),
    path("bundles/", include("zhengwu.bundles.urls")),
    path("hall/", include("zhengwu.hall.urls")),
    path("assistance/", include("zhengwu.assistance.urls")),
    # 12345: Open311 GeoReport v2 (issue 13 §5); /hotline/results/ and /hotline/stats/ (三率).
    path("open311/v2/", include("zhengwu.hotline.open311_urls")),
    path("hotline/", include("zhengwu.hotline.results_urls")),
    # The QR code printed on every notice opens this public verification page.
    path("notices/verify/<str:code>/", cases_views.notice_verify, name="notice_verify"),
    # The QR code on every licence opens this (short, upper case: licences.presentation).
    path("V/<str:token>", licences_views.licence_verify_short, name="licence_verify_short"),
    path("notifications/", include("zhengwu.notifications.urls")),
    path("licences/", include("zhengwu.licences.urls")),
    path("evaluations/", include("zhengwu.evaluations.urls")),
    # 办不成事反映 (issue 12 §5, docs/unresolved.md).
    path("unresolved/", include("zhengwu.unresolved.urls")),
    # 惠企政策 and 免申即享 (issue 14 §1, docs/policies.md).
    path("policies/", include("zhengwu.policies.urls")),
    # 可验证抽取 (issue 15, docs/draws.md).
    path("draws/", include("zhengwu.draws.urls")),
    path("ledger/", include("zhengwu.ledger.urls")),
    # 互联网+监管 and 双随机一公开 (issue 15 §3, docs/inspections.md).
    path("inspections/", include("zhengwu.inspections.urls")),
    # 督查督办: the action plan, its live figures and the 营商环境 dashboard (docs/plan.md).
    path("plan/", include("zhengwu.plan.urls")),
    # 12345 热线 (issue 13, docs/hotline.md).
    path("hotline/", include("zhengwu.hotline.urls")),
    # 中介超市 (issue 15 §1, docs/market.md).
    path("market/", include("zhengwu.market.urls")),
    # 政务公开 (issue 14 §2, docs/openness.md).
    path("openness/", include("zhengwu.openness.urls")),
    path("", include("zhengwu.sharing.urls")),
    path("", include("zhengwu.catalog.urls")),
    path("", include("zhengwu.portal.urls")),
]

handler400 = "zhengwu.core.views.bad_request"
handler404 = "zhengwu.core.views.page_not_found"
handler500 = "zhengwu.core.views.server_error"
