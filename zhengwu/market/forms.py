"""The 中介超市's page forms: what was typed is kept and each refusal shown beside its field
(core.forms.refuse). The rules themselves are the services'."""

from __future__ import annotations

from typing import Any

from django import forms

from zhengwu.core.forms import DateInput, ErrorsDescribed, TextField
from zhengwu.departments.models import Department
from zhengwu.market.models import ConflictReason, DirectReason, Method
from zhengwu.market.selectors import service_types

QUALIFICATION_ROWS = 3


class AgencyForm(ErrorsDescribed):
    name = TextField(label="机构名称", max_length=120)
    staff_count = forms.IntegerField(label="从业人员数", min_value=1, max_value=100000)
    fee_description = TextField(label="收费标准说明", max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}))
    service_types = forms.ModelMultipleChoiceField(
        label="服务类型（中介服务事项清单）", queryset=service_types(),
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_types"].queryset = service_types()  # type: ignore[attr-defined]
        for n in range(1, QUALIFICATION_ROWS + 1):
            required = n == 1
            self.fields[f"q{n}_name"] = TextField(label=f"资质{n}名称", max_length=120,
                                                  required=required)
            self.fields[f"q{n}_level"] = TextField(label=f"资质{n}等级", max_length=40,
                                                   required=required)
            self.fields[f"q{n}_certificate_number"] = TextField(
                label=f"资质{n}证书编号", max_length=60, required=required)
            self.fields[f"q{n}_valid_from"] = forms.DateField(
                label=f"资质{n}有效期起", required=required, widget=DateInput())
            self.fields[f"q{n}_valid_to"] = forms.DateField(
                label=f"资质{n}有效期止", required=required, widget=DateInput())

    def qualification_rows(self) -> list[list[Any]]:
        return [[self[f"q{n}_{part}"] for part in ("name", "level", "certificate_number",
                                                   "valid_from", "valid_to")]
                for n in range(1, QUALIFICATION_ROWS + 1)]


class ProjectForm(ErrorsDescribed):
    service_type = forms.ModelChoiceField(label="服务类型", queryset=service_types(),
                                          empty_label="请选择")
    title = TextField(label="项目名称", max_length=200)
    budget = forms.DecimalField(label="预算（元）", min_value=0, max_digits=14,
                                decimal_places=2)
    requirements = TextField(label="服务要求", max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}))
    service_workdays = forms.IntegerField(label="服务期限（工作日）", min_value=1,
                                          max_value=365)
    registration_closes = forms.DateField(label="报名截止日期", widget=DateInput())
    method = forms.ChoiceField(label="选取方式", choices=Method.choices,
                               widget=forms.RadioSelect)
    direct_reason = forms.ChoiceField(label="直接选取理由（仅直接选取填写）", required=False,
                                      choices=[("", "—"), *list(DirectReason.choices)])
    department = forms.ChoiceField(label="发布部门", required=False)

    def __init__(self, *args: Any, departments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_type"].queryset = service_types()  # type: ignore[attr-defined]
        if len(departments) > 1:
            self.fields["department"].choices = [(d.pk, d.name) for d in departments]  # type: ignore[attr-defined]
        else:
            del self.fields["department"]


class ReasonForm(ErrorsDescribed):
    reason = TextField(label="理由", max_length=1000, required=False,
                       widget=forms.Textarea(attrs={"rows": 2}))


class ExpertForm(ErrorsDescribed):
    """评审专家入库 (审改办)."""

    username = TextField(label="专家的平台账号（用户名）", max_length=150)
    code = TextField(label="专家编号（公开，如 ZJ-0001）", max_length=20)
    employer = TextField(label="工作单位", max_length=200)
    department = forms.ModelChoiceField(label="所在部门（部门工作人员填写，本部门项目回避）",
                                        queryset=Department.objects.none(), required=False,
                                        empty_label="—")
    specialties = forms.ModelMultipleChoiceField(
        label="评审专业（中介服务事项）", queryset=service_types(),
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "expert")
        super().__init__(*args, **kwargs)
        self.fields["specialties"].queryset = service_types()  # type: ignore[attr-defined]
        self.fields["department"].queryset = Department.objects.order_by("name")  # type: ignore[attr-defined]


class ConflictForm(ErrorsDescribed):
    """利害关系回避申报 (审改办 records the expert's declaration)."""

    code = TextField(label="专家编号", max_length=20)
    uscc = TextField(label="机构统一社会信用代码", max_length=18)
    reason = forms.ChoiceField(label="回避事由", choices=[("", "请选择"),
                                                       *list(ConflictReason.choices)])
    note = TextField(label="说明（可不填）", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "conflict")
        super().__init__(*args, **kwargs)


class ComplaintForm(ErrorsDescribed):
    project = TextField(label="所涉项目编号（可不填）", max_length=24, required=False)
    agency = TextField(label="被投诉机构的统一社会信用代码（可不填）", max_length=18,
                       required=False)
    text = TextField(label="投诉事项与理由（仅审改办和电子监察可见；请勿填写他人的身份证号、电话等个人信息）",
                     max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
                     error_messages={"required": "请写明投诉事项与理由。"})
