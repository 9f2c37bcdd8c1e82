"""The request form (online, and staff recording a letter, a fax or a visit) and the move
forms of the staff request page. The rules are the services' (services._clean,
services.answer_check); these forms only carry what was typed back to the page with each
error next to its field."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from zhengwu.core.forms import ErrorsDescribed, TextField
from zhengwu.core.upload_check import ACCEPT
from zhengwu.openness.models import (
    AccountStatus,
    AnswerType,
    Channel,
    ColumnCategory,
    Delivery,
    Platform,
    RequesterKind,
)
from zhengwu.openness.selectors import department_choices

DATE = forms.DateInput(attrs={"type": "date"})


class RequestForm(ErrorsDescribed):
    department = forms.ChoiceField(label="向哪个机关申请", required=False)
    information = TextField(label="所需信息的名称、文号或便于查询的特征描述", max_length=2000,
                            required=False, widget=forms.Textarea(attrs={"rows": 4}))
    purpose = TextField(label="用途（选填）", max_length=500, required=False,
                        widget=forms.Textarea(attrs={"rows": 2}))
    delivery = forms.ChoiceField(label="获取信息的方式", choices=Delivery.choices,
                                 required=False)
    name = TextField(label="申请人姓名或名称", max_length=100, required=False)
    id_number = forms.CharField(label="身份证明号码", max_length=30, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = TextField(label="通信地址（选择纸质文本时必填）", max_length=200, required=False)

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", "请选择机关"), *department_choices()]
        if staff:
            self.fields["channel"] = forms.ChoiceField(
                label="提交方式", required=False,
                choices=[c for c in Channel.choices if c[0] != Channel.ONLINE])
            self.fields["requester_kind"] = forms.ChoiceField(
                label="申请人类型", choices=RequesterKind.choices, required=False)
            self.fields["submitted_on"] = forms.DateField(label="提交（寄出）日期",
                                                          required=False, widget=DATE)
            self.fields["signed_for_on"] = forms.DateField(
                label="签收日期（挂号信、EMS）", required=False, widget=DATE)
            self.order_fields(["channel", "submitted_on", "signed_for_on", "requester_kind"])


class ConfirmForm(ErrorsDescribed):
    on = forms.DateField(label="确认收到日期（与申请人确认之日，默认今天）", required=False,
                         widget=DATE)


class SupplementNoticeForm(ErrorsDescribed):
    note = TextField(label="需要补正的事项（告知申请人如何补正）", max_length=2000,
                     required=False, widget=forms.Textarea(attrs={"rows": 3}))
    until = forms.DateField(label="补正期限", required=False, widget=DATE)


class SupplementSubmitForm(ErrorsDescribed):
    note = TextField(label="补正内容", max_length=2000, required=False,
                     widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label="收到补正日期（工作人员登记时，默认今天）", required=False,
                         widget=DATE)


class PersonSupplementForm(ErrorsDescribed):
    note = TextField(label="补正内容", max_length=2000, required=False,
                     widget=forms.Textarea(attrs={"rows": 4}))


class LapseForm(ErrorsDescribed):
    note = TextField(label="说明（选填）", max_length=2000, required=False)


class ExtendForm(ErrorsDescribed):
    workdays = forms.IntegerField(label="延长工作日（1–20）", min_value=1, max_value=20,
                                  required=False)
    approved_by = TextField(label="批准的政府信息公开工作机构负责人", max_length=50,
                            required=False)
    note = TextField(label="延期理由（将告知申请人）", max_length=2000, required=False,
                     widget=forms.Textarea(attrs={"rows": 2}))


class ConsultForm(ErrorsDescribed):
    third_party = TextField(label="第三方", max_length=100, required=False)
    on = forms.DateField(label="第三方收到征求意见书之日（默认今天）", required=False, widget=DATE)
    note = TextField(label="说明（选填）", max_length=2000, required=False)


class ThirdPartyAnswerForm(ErrorsDescribed):
    agrees = forms.ChoiceField(label="第三方意见", required=False, choices=[
        ("", "请选择"), ("yes", "同意公开"), ("no", "不同意公开")])
    on = forms.DateField(label="第三方答复日期（默认今天）", required=False, widget=DATE)
    note = TextField(label="第三方意见摘要", max_length=2000, required=False,
                     widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(ErrorsDescribed):
    answer_type = forms.ChoiceField(label="答复类型", choices=[("", "请选择"), *AnswerType.choices],
                                    required=False)
    note = TextField(label="答复内容", max_length=2000, required=False,
                     widget=forms.Textarea(attrs={"rows": 4}))
    reason = TextField(label="理由（部分公开、不予公开等必填）", max_length=2000, required=False,
                       widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = TextField(label="法律依据（部分公开、不予公开等必填：名称及条款）",
                            max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    right_agency = TextField(label="负责公开的机关及联系方式（非本机关负责公开，能确定的填写）",
                             max_length=200, required=False)
    file1 = forms.FileField(label="答复附件1（选填）", required=False,
                            help_text="所公开的信息或答复书扫描件，PDF、JPG 或 PNG，单个不超过 10MB",
                            widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    file2 = forms.FileField(label="答复附件2（选填）", required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    file3 = forms.FileField(label="答复附件3（选填）", required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))


ATTACHMENT_SLOTS = ("file1", "file2", "file3")


MOVE_FORMS: dict[str, type[forms.Form]] = {
    "confirm": ConfirmForm, "supplement_notice": SupplementNoticeForm,
    "supplement_submit": SupplementSubmitForm, "lapse": LapseForm, "extend": ExtendForm,
    "consult": ConsultForm, "third_party_answer": ThirdPartyAnswerForm, "answer": AnswerForm}

# Which field an error code of the services belongs to, to show it there.
FIELD_OF_CODE = {
    "openness.note_required": "note", "openness.until": "until", "openness.date": "on",
    "openness.extension": "workdays", "openness.approved_by": "approved_by",
    "openness.third_party": "third_party", "openness.agrees": "agrees",
    "openness.answer_type": "answer_type", "openness.reason_required": "reason",
    "openness.legal_basis_required": "legal_basis", "openness.note": "note",
}


class EntryForm(ErrorsDescribed):
    """An entry of the 主动公开 column (services.column_add holds the rules)."""

    category = forms.ChoiceField(label="栏目", required=False,
                                 choices=[("", "请选择"), *ColumnCategory.choices])
    department = forms.ChoiceField(label="发布部门", required=False)
    title = TextField(label="标题", max_length=200, required=False)
    body = TextField(label="内容", max_length=20000, required=False,
                     widget=forms.Textarea(attrs={"rows": 6}))
    link = forms.CharField(label="链接（选填）", max_length=500, required=False,
                           help_text="事项清单、办事指南可直接链接本平台页面，如 /lists/ 或 "
                                     "/guide/实施编码/，不必复制内容。")
    published_on = forms.DateField(label="发布日期（默认今天）", required=False, widget=DATE)

    def __init__(self, *args: Any, departments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = departments


class AccountForm(ErrorsDescribed):
    """A 政务新媒体 account put on the register (new_media.account_register holds the rules)."""

    platform = forms.ChoiceField(label="平台", required=False,
                                 choices=[("", "请选择"), *Platform.choices])
    name = TextField(label="账号名称", max_length=100, required=False)
    handle = TextField(label="账号ID或网址（选填）", max_length=200, required=False)
    department = forms.ChoiceField(label="主办单位", required=False)
    responsible = TextField(label="责任人", max_length=50, required=False)
    office_phone = forms.CharField(label="责任人办公电话", max_length=20, required=False,
                                   help_text="办公固定电话，如 0734-4312345；将在公开名录中显示。")
    registered_on = forms.DateField(label="备案日期（默认今天）", required=False, widget=DATE)
    inspection_interval_days = forms.IntegerField(
        label="检查周期（天）", required=False, initial=30, min_value=1, max_value=92,
        help_text="默认30天，最长92天（每季度至少检查一次）。")

    def __init__(self, *args: Any, departments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = departments


class InspectionForm(ErrorsDescribed):
    inspected_on = forms.DateField(label="检查日期（默认今天）", required=False, widget=DATE)
    last_update_seen = forms.DateField(label="账号最近一次发布信息的日期", required=False,
                                       widget=DATE)
    broken_links = forms.IntegerField(label="错链断链数", required=False, initial=0,
                                      min_value=0, max_value=9999)
    broken_links_text = TextField(label="错链断链情况（有错链时必填）", max_length=2000,
                                  required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = TextField(label="检查记录（选填）", max_length=2000, required=False,
                      widget=forms.Textarea(attrs={"rows": 2}))


class StatusForm(ErrorsDescribed):
    status = forms.ChoiceField(label="新的状态", required=False,
                               choices=[("", "请选择"), *AccountStatus.choices])
    on = forms.DateField(label="关停日期（关停时填写，默认今天）", required=False, widget=DATE)
    reason = TextField(label="说明（暂停更新、关停时必填）", max_length=200, required=False)
