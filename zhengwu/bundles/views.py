"""一件事 pages (being built)."""

from django.http import Http404, HttpRequest, HttpResponse


def bundle_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def guide(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404


def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    raise Http404
