"""互联网+监管 forms: a supervision item, an inspector's registration, a conflict declared."""

from __future__ import annotations

from django import forms

from zhengwu.catalog.models import ServiceItem
from zhengwu.core.forms import DateInput, ErrorsDescribed, TextField
from zhengwu.inspections.models import ConflictReason, InspectionMethod, InspectionResult


class ItemForm(ErrorsDescribed):
    code = TextField(label="监管事项编码", max_length=40)
    name = TextField(label="监管事项名称", max_length=200)
    items = forms.ModelMultipleChoiceField(
        label="对应的政务服务事项", queryset=ServiceItem.objects.order_by("name"),
        to_field_name="basic_code", widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="可多选：监管这些事项的持证（获准）主体。",
        error_messages={"required": "请至少选择一项对应的政务服务事项。",
                        "invalid_choice": "所选事项不在事项目录中。"})
    legal_basis = TextField(label="监管依据", max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}), help_text="法律法规名称及条款。")
    method = forms.ChoiceField(label="检查方式", choices=InspectionMethod.choices)


class InspectorForm(ErrorsDescribed):
    username = TextField(label="工作人员账号", max_length=150,
                         help_text="本部门工作人员的登录账号。")
    certificate = TextField(label="执法证号", max_length=30,
                            help_text="公开使用的编号：抽取名单中只显示执法证号，不显示姓名。")


class ConflictForm(ErrorsDescribed):
    certificate = forms.ChoiceField(label="执法检查人员（执法证号）")
    uscc = TextField(label="企业统一社会信用代码", max_length=18)
    reason = forms.ChoiceField(label="回避事由", choices=ConflictReason.choices)
    note = TextField(label="说明", max_length=200, required=False)

    def __init__(self, *args: object, certificates: list[tuple[str, str]], **kwargs: object
                 ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["certificate"].choices = certificates  # type: ignore[attr-defined]


class PlanForm(ErrorsDescribed):
    name = TextField(label="计划名称", max_length=200)
    item = forms.ChoiceField(label="监管事项")
    region_prefix = TextField(label="登记机关区划码前缀", max_length=6, required=False,
                              help_text="统一社会信用代码第3至8位的前缀，如 430481（耒阳市）；留空为不限。")
    percent = TextField(label="抽查比例（%）", max_length=6,
                        help_text="按名录户数乘以比例向上取整，至少1户。")
    due_workdays = forms.IntegerField(label="检查期限（工作日）", min_value=1, max_value=120,
                                      error_messages={"invalid": "请填写整数。"})

    def __init__(self, *args: object, items: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["item"].choices = items  # type: ignore[attr-defined]


class ResultForm(ErrorsDescribed):
    result = forms.ChoiceField(label="检查结果", choices=InspectionResult.choices)
    findings = TextField(label="检查情况", max_length=4000, widget=forms.Textarea(
        attrs={"rows": 4}), error_messages={"required": "请填写检查情况。"})
    result_on = forms.DateField(label="结果日期", required=False, widget=DateInput(),
                                help_text="留空为今天。")
    rectify_workdays = forms.IntegerField(label="整改期限（工作日）", required=False,
                                          min_value=1, max_value=60,
                                          help_text="仅“责令整改”时填写。")


class RecheckForm(ErrorsDescribed):
    findings = TextField(label="复查情况", max_length=4000, widget=forms.Textarea(
        attrs={"rows": 3}), error_messages={"required": "请填写复查情况。"})
    remedied = forms.TypedChoiceField(
        label="复查结论", choices=[("yes", "整改到位"), ("no", "逾期未改正（记入失信记录）")],
        coerce=lambda value: value == "yes", widget=forms.RadioSelect,
        error_messages={"required": "请选择复查结论：整改到位，或逾期未改正。"},
        help_text="逾期未改正的，企业记入失信记录并公示（不含检查人员和检查情况）。")
