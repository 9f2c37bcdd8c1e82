"""可验证抽取 pages: a draw as the public reads it (with how to recompute it) and, for the
person acting for one of its parties, the forms to commit and to reveal. Without JavaScript:
a party brings its own commitment (made offline with openssl, the secret never leaving its
computer) or asks the page to make a secret, shown once, for it to keep until the reveal."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from zhengwu.accounts.models import User
from zhengwu.core.errors import DomainError
from zhengwu.core.forms import ErrorsDescribed
from zhengwu.draws import protocol, services
from zhengwu.draws.models import Draw, DrawStatus
from zhengwu.draws.selectors import draw_public
from zhengwu.process import engine


class ValueForm(ErrorsDescribed):
    value = forms.CharField(label="", max_length=100, strip=True,
                            widget=forms.TextInput(attrs={"class": "hex-input",
                                                          "autocomplete": "off",
                                                          "spellcheck": "false"}))


def page(request: HttpRequest, number: str) -> HttpResponse:
    row = get_object_or_404(Draw, number=number)
    user: User | None = request.user if request.user.is_authenticated else None  # type: ignore[assignment]
    form = ValueForm()
    shown_secret = ""
    status = 200
    if request.method == "POST" and user is not None:
        action = request.POST.get("action", "")
        value = ""
        if action == "generate":  # the page makes the secret; the party keeps it
            shown_secret = secrets.token_hex(32)
            action, value = "commit", protocol.commitment(shown_secret)
        else:
            form = ValueForm(request.POST)
            value = form.cleaned_data["value"] if form.is_valid() else ""
        if action not in ("commit", "reveal"):
            messages.error(request, "未知的操作。")
            status = 400
        elif value:
            try:
                services.draw_move(number=number, user=user,
                                   move=services.DrawMoveIn(action=action, value=value))
            except DomainError as problem:
                if shown_secret:  # a generated commitment refused: nothing to keep
                    form, shown_secret = ValueForm(), ""
                form.add_error("value" if problem.http_status == 422 else None,
                               problem.message)
                status = problem.http_status if problem.http_status < 500 else 409
            else:
                if not shown_secret:
                    messages.success(request, "已提交。")
                    return redirect("draws:page", number=number)
        else:
            status = 422
        row.refresh_from_db()
    data: dict[str, Any] = draw_public(row)
    may = (engine.moves_open(services.DRAW_TABLE, _locked_view(row), user,
                             actions=("commit", "reveal")) if user is not None else [])
    return render(request, "draws/page.html", {
        "row": row, "data": data, "form": form, "may": may, "shown_secret": shown_secret,
        "done": row.status == DrawStatus.DRAWN}, status=status)


def _locked_view(row: Draw) -> Draw:
    """The draw with its parties in order, as the engine's guards read it."""
    row.party_list = list(row.parties.order_by("position"))
    return row
