"""一件事 public and applicant pages (being built): guides, the guided application, one
progress view."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


bundle_list = mine = case_detail = case_supplement = case_withdraw = notice_pdf = _todo
guide = guide_pdf = guide_qr = apply = _todo
