"""The forms of the 帮代办 and 创业管家 pages; every refusal keeps what was typed."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from zhengwu.core.forms import DateInput, ErrorsDescribed


class RosterForm(ErrorsDescribed):
    username = forms.CharField(label="工作人员用户名", max_length=150)


class ProjectForm(ErrorsDescribed):
    uscc = forms.CharField(label="企业统一社会信用代码", max_length=18)
    name = forms.CharField(label="项目名称", max_length=200,
                           help_text="如：某某投资项目审批代办")
    agent = forms.TypedChoiceField(label="代办员", coerce=int, choices=())
    items = forms.CharField(label="代办事项（基本编码，每行或逗号分隔一个）", widget=forms.Textarea(
        attrs={"rows": 3}))
    ends_on = forms.DateField(label="授权截止日期", widget=DateInput())
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args: Any, agents: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = agents  # type: ignore[attr-defined]

    def item_codes(self) -> list[str]:
        return [c for c in re.split(r"[\s,，、;；]+", self.cleaned_data["items"]) if c]


class ButlerForm(ErrorsDescribed):
    uscc = forms.CharField(label="企业统一社会信用代码", max_length=18)
    username = forms.CharField(label="创业管家（工作人员用户名）", max_length=150)


class MessageForm(ErrorsDescribed):
    body = forms.CharField(label="消息", max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}))


class ReasonForm(ErrorsDescribed):
    reason = forms.CharField(label="原因", max_length=500, required=False)
