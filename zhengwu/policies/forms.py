"""The department's forms: publish a benefit with its first rule version, add a version.
Every field keeps what was typed when the service refuses it; a rule's refused lines are
shown under the conditions box, each named by its line number."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from zhengwu.cases.kept_uploads import KeepsUploads
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core.forms import DateInput, TextField
from zhengwu.core.upload_check import ACCEPT
from zhengwu.departments.models import Department
from zhengwu.policies.models import BenefitKind, BenefitMode, PolicyDocument, SubjectKind


class RuleForm(forms.Form):
    lines = TextField(label="享受条件（每行一条：信息项 条件 值 | 说明）", max_length=4000,
                      widget=forms.Textarea(attrs={"rows": 6}))
    effective_from = forms.DateField(label="生效日期", widget=DateInput)
    effective_to = forms.DateField(label="失效日期（选填）", required=False, widget=DateInput)
    amount = TextField(label="金额公式（选填，如 round(unemployment_insurance_paid * 0.6, 2)）",
                       max_length=300, required=False)
    max_fact_age_days = forms.IntegerField(label="数据有效天数（选填）", required=False,
                                           min_value=1, max_value=3660)

    # The service's error codes and the field that shows them.
    FIELD_OF_CODE: dict[str, str | None] = {"policies.rule_invalid": "lines"}


class BenefitForm(RuleForm):
    code = forms.CharField(label="编码（字母、数字、短横线）", max_length=40)
    name = TextField(label="名称", max_length=120)
    kind = forms.ChoiceField(label="类别", choices=BenefitKind.choices)
    mode = forms.ChoiceField(label="兑现方式", choices=BenefitMode.choices)
    subject_kind = forms.ChoiceField(label="适用对象", choices=SubjectKind.choices,
                                     initial=SubjectKind.ENTERPRISE)
    document = forms.ModelChoiceField(label="政策依据", queryset=PolicyDocument.objects.none(),
                                      empty_label="请选择")
    description = TextField(label="内容说明", max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    implementation = forms.ModelChoiceField(
        label="申请事项（选填：即申即享一键申请的事项；免申即享时供数据不全的企业申请）",
        queryset=ItemImplementation.objects.none(), required=False, empty_label="无")

    field_order = ["code", "name", "kind", "mode", "subject_kind", "document", "description", "implementation",
                   "lines",
                   "effective_from", "effective_to", "amount", "max_fact_age_days"]
    FIELD_OF_CODE: dict[str, str | None] = {
        "policies.rule_invalid": "lines", "policies.document_required": "document",
        "policies.benefit_invalid": None}

    def __init__(self, *args: Any, department_ids: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        documents = PolicyDocument.objects.filter(status="valid")
        self.fields["document"].queryset = documents  # type: ignore[attr-defined]
        self.fields["implementation"].queryset = (  # type: ignore[attr-defined]
            ItemImplementation.objects.filter(department_id__in=department_ids)
            .select_related("item").order_by("item__name", "level"))


class FactFileForm(forms.Form):
    """A department's data file of enterprise facts (fact_files)."""

    department = forms.ModelChoiceField(label="提供部门", queryset=Department.objects.none(),
                                        empty_label=None)
    source = TextField(label="数据来源（如“市税务局 2025年度纳税数据”）", max_length=120)
    file = forms.FileField(label="数据文件（CSV，UTF-8）")

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class DocumentForm(forms.Form):
    """A 政策文件 as its department enters it (library.document_create)."""

    title = TextField(label="标题", max_length=200)
    doc_number = TextField(label="文号（如 耒政办发〔2026〕3号）", max_length=80)
    issuer = TextField(label="发文机关", max_length=120)
    issued_on = forms.DateField(label="成文日期", widget=DateInput)
    effective_on = forms.DateField(label="施行日期", widget=DateInput)
    expires_on = forms.DateField(label="有效期至（选填，长期有效不填）", required=False,
                                 widget=DateInput)
    full_text = TextField(label="全文", max_length=100_000,
                          widget=forms.Textarea(attrs={"rows": 12}))


class InterpretationForm(forms.Form):
    """A 解读 with its Q&A typed as lines "问：…" / "答：…"."""

    title = TextField(label="解读标题", max_length=200)
    body = TextField(label="解读内容", max_length=20_000,
                     widget=forms.Textarea(attrs={"rows": 8}))
    questions = TextField(label="问答（选填：每个问题一行“问：…”，下一行“答：…”）",
                          max_length=20_000, required=False,
                          widget=forms.Textarea(attrs={"rows": 8}))
    published_on = forms.DateField(label="发布日期", widget=DateInput)


class PolicyFileForm(KeepsUploads):
    """A file published with a document: its 附件, or the 图解 of one of its 解读 (with the
    text a screen reader reads). The chosen file is kept across a refusal (cases.staging)."""

    target = forms.ChoiceField(label="上传为", required=False)
    file = forms.FileField(label="文件", required=False,
                           help_text="PDF、JPG 或 PNG，不超过 10MB；图解须为 JPG 或 PNG 图片",
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    description = TextField(label="说明（图解必填：用文字说明图片内容）", max_length=300,
                            required=False)

    def __init__(self, *args: Any, document: PolicyDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["target"]).choices = [("", "文件附件")] + [
            (str(pk), f"图解：{title}") for pk, title in
            document.interpretations.values_list("pk", "title")]


class DocumentStatusForm(forms.Form):
    """立改废: 失效 on a day, or 已修订 by a successor (library.document_status_change)."""

    status = forms.ChoiceField(label="新状态", choices=[
        ("expired", "失效"), ("revised", "已修订")], widget=forms.RadioSelect)
    on = forms.DateField(label="失效日期（已修订时选填：默认为修订后文件施行日期的前一天）",
                         required=False, widget=DateInput)
    successor = forms.ModelChoiceField(label="修订后的文件（已修订时必选）",
                                       queryset=PolicyDocument.objects.none(), required=False,
                                       empty_label="请选择")
    reason = TextField(label="依据或说明（选填，如废止决定的文号）", max_length=300,
                       required=False)

    def __init__(self, *args: Any, document: PolicyDocument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = (  # type: ignore[attr-defined]
            PolicyDocument.objects.filter(status="valid").exclude(pk=document.pk))
