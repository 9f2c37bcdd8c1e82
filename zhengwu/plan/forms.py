"""The staff forms of a task's page: a department's monthly progress report (with an optional
evidence file) and a supervisor's comment. The rules live in plan.services; a refusal is
shown on the form with everything typed kept."""

from __future__ import annotations

from django import forms

from zhengwu.core.upload_check import ACCEPT


class ReportForm(forms.Form):
    month = forms.CharField(label="报送月份", max_length=7,
                            widget=forms.TextInput(attrs={"type": "month"}))
    department = forms.TypedChoiceField(label="报送部门", coerce=int)
    text = forms.CharField(label="进展情况", max_length=5000, widget=forms.Textarea(
        attrs={"rows": 5}))
    completed = forms.BooleanField(label="本任务已完成", required=False)
    evidence = forms.FileField(label="佐证材料（选填，PDF、JPG 或 PNG，最大 10MB）",
                               required=False,
                               widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args: object, departments: list[tuple[int, str]], **kwargs: object
                 ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["department"].choices = departments  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    text = forms.CharField(label="督办意见", max_length=5000, widget=forms.Textarea(
        attrs={"rows": 3}))
