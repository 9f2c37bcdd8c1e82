"""Page forms of joint reviews: they check the shape of what was typed; the rules (who may
schedule, which departments exist, the deadline) are checked by jointreviews.services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from zhengwu.departments.models import Department
from zhengwu.jointreviews.models import ReviewKind

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ScheduleForm(forms.Form):
    """安排联合审查, for the lead department."""

    kind = forms.ChoiceField(label="类型", choices=ReviewKind.choices)
    title = forms.CharField(label="项目名称", max_length=200)
    description = forms.CharField(label="审查内容（可选）", required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    lead_department = forms.TypedChoiceField(label="牵头部门", coerce=int)
    required_departments = forms.TypedMultipleChoiceField(
        label="必须参加的部门", coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个必须参加的部门。"},
        help_text="逾期既未到场也未答复的，视为无意见（缺席默认），并记入部门记录。")
    optional_departments = forms.TypedMultipleChoiceField(
        label="列席部门（可选，不等待其答复）", coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple)
    place = forms.CharField(label="地点", max_length=200)
    starts_at = forms.DateTimeField(label="会议时间", input_formats=DATETIME_FORMATS,
                                    widget=DateTimeLocalInput())
    answer_workdays = forms.DecimalField(
        label="答复时限（会议日后的工作日数）", required=False, min_value=Decimal("0.5"),
        max_value=Decimal(60), decimal_places=1, max_digits=3, initial=Decimal(3),
        widget=forms.NumberInput(attrs={"step": "0.5"}),
        help_text="按官方工作日历计算，截止于最后一个工作日结束时。")
    answer_due_at = forms.DateTimeField(
        label="或：指定答复截止时间", required=False, input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(), help_text="填写后以此为准，不再按工作日计算。")
    case_number = forms.CharField(label="关联办件编号（可选）", required=False, max_length=32)
    bundle_number = forms.CharField(label="关联一件事编号（可选）", required=False, max_length=32)

    def __init__(self, *args: Any, leads: list[Department], departments: list[Department],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead = self.fields["lead_department"]
        assert isinstance(lead, forms.TypedChoiceField)
        lead.choices = [(d.pk, d.name) for d in leads]
        for name in ("required_departments", "optional_departments"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedMultipleChoiceField)
            field.choices = [(d.pk, d.name) for d in departments]


class AnswerForm(forms.Form):
    """出具意见 for one invited department."""

    opinion = forms.ChoiceField(label="意见", choices=[
        ("agree", "同意"), ("conditional", "有条件同意"), ("disagree", "不同意")],
        error_messages={"required": "请选择意见：同意、有条件同意或不同意。"})
    conditions = forms.CharField(label="同意的条件", required=False, max_length=5000)
    reasons = forms.CharField(label="不同意的理由", required=False, max_length=5000)
    attended = forms.ChoiceField(label="到场情况", required=False, choices=[
        ("", "不变"), ("yes", "到场"), ("no", "未到场（书面意见）")])

    def attended_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("attended") or "")

    def message(self) -> str:
        """All field errors as one line, for the message next to the form."""
        return "；".join(f"{self.fields[k].label if k in self.fields else ''}：{e}".lstrip("：")
                        for k, errors in self.errors.items() for e in errors)


class NoteForm(forms.Form):
    text = forms.CharField(label="说明", required=False, max_length=5000)
