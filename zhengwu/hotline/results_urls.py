"""URLs of the 12345 results pages (results_views), mounted under /hotline/ next to the
hotline's other pages (its own namespace, so that the two includes never collide)."""

from __future__ import annotations

from django.urls import path

from zhengwu.hotline import business_views, results_views

app_name = "hotline_results"

urlpatterns = [
    path("results/", results_views.results_page, name="results"),
    path("results/ledger.xlsx", results_views.ledger_xlsx, name="ledger"),
    path("stats/", results_views.stats_page, name="stats"),
    path("results/business/", business_views.business_page, name="business"),
]
