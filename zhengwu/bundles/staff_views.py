"""一件事 staff pages (being built): the 一件事 window, departments' member cases,
supervisors' KPIs, catalogue admins' definitions."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


window = window_move = department_members = supplement_request = kpis = _todo
definitions = definition_edit = draft_move = _todo
