"""Open311 GeoReport v2 URLs (zhengwu/hotline/open311.py), mounted at /open311/v2/ by
config/urls.py: each resource ends in .json or .xml, which picks the format."""

from __future__ import annotations

from django.urls import path, re_path

from zhengwu.hotline import open311

app_name = "open311"

FMT = r"(?P<fmt>json|xml)"

urlpatterns = [
    path("", open311.not_found, name="root"),
    re_path(rf"^discovery\.{FMT}$", open311.discovery, name="discovery"),
    re_path(rf"^services\.{FMT}$", open311.service_index, name="services"),
    re_path(rf"^services/(?P<code>[^/]+)\.{FMT}$", open311.service_definition, name="service"),
    re_path(rf"^requests\.{FMT}$", open311.request_index, name="requests"),
    re_path(rf"^requests/(?P<number>[^/]+)\.{FMT}$", open311.request_detail, name="request"),
    re_path(r"^(?P<path>.*)$", open311.not_found),
]
