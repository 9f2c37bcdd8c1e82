"""The ticket form (online, and staff recording it at the window or by phone) and the move
forms of the staff ticket page. The rules are the services' (services.clean,
services.outcome_check); these forms only carry what was typed back to the page with each
error next to its field."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from zhengwu.core.forms import ErrorsDescribed, TextField
from zhengwu.unresolved.models import ContactHow, Outcome, TicketChannel, WhereTold
from zhengwu.unresolved.selectors import department_choices


class TicketForm(ErrorsDescribed):
    implementation = forms.CharField(label="事项实施编码（选填）", max_length=31, required=False,
                                     help_text="知道事项编码的可填写；不知道可留空，在下面写明想办的事。")
    department = forms.ChoiceField(label="办理部门", required=False,
                                   help_text="未填写事项编码时必选。")
    asked = TextField(label="想办的事", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                      required=False)
    told = TextField(label="被告知的情况", max_length=1000, required=False,
                     widget=forms.Textarea(attrs={"rows": 3}),
                     help_text="例如“缺少某某证明，不能受理”。")
    told_by = TextField(label="告知人（窗口号或工作人员，选填）", max_length=100, required=False)
    where = forms.ChoiceField(label="在哪里被告知", choices=[("", "请选择"), *WhereTold.choices],
                              required=False)
    case_number = forms.CharField(label="办件编号（选填）", max_length=40, required=False)
    name = TextField(label="姓名", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [("", "请选择部门"),
                                                                    *department_choices()]
        if staff:
            self.fields["channel"] = forms.ChoiceField(
                label="登记方式", required=False,
                choices=[c for c in TicketChannel.choices if c[0] != TicketChannel.WEB])
            self.order_fields(["channel"])

    def department_id(self) -> int | None:
        value = str(self.data.get("department", "") or "")
        return int(value) if value.isdigit() else None


class ReassignForm(ErrorsDescribed):
    department = forms.ChoiceField(label="改派给", required=False)
    note = TextField(label="改派理由", max_length=2000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [("", "请选择部门"),
                                                                    *department_choices()]


class ContactForm(ErrorsDescribed):
    how = forms.ChoiceField(label="联系方式", choices=[("", "请选择"), *ContactHow.choices],
                            required=False)
    note = TextField(label="联系情况", max_length=2000, required=False,
                     widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(ErrorsDescribed):
    outcome = forms.ChoiceField(label="处理结果", choices=[("", "请选择"), *Outcome.choices],
                                required=False)
    note = TextField(label="处理情况", max_length=2000, required=False,
                     widget=forms.Textarea(attrs={"rows": 2}))
    case_number = forms.CharField(label="办件编号（已办成且已立案的填写）", max_length=40,
                                  required=False)
    legal_basis = TextField(label="法律依据（依法不能办理的必填：名称及条款）", max_length=2000,
                            required=False, widget=forms.Textarea(attrs={"rows": 2}))
    proposal = TextField(label="制度完善建议（推动制度完善的必填）", max_length=2000,
                         required=False, widget=forms.Textarea(attrs={"rows": 2}))
    summary = TextField(label="公开摘要（月度公示用，不含姓名、电话等个人信息）", max_length=60,
                        required=False)


# Which field an error code of the services belongs to, to show it there.
FIELD_OF_CODE = {
    "ticket.how": "how", "ticket.note_required": "note", "ticket.outcome": "outcome",
    "ticket.legal_basis_required": "legal_basis", "ticket.proposal_required": "proposal",
    "ticket.case_number": "case_number", "ticket.summary_required": "summary",
    "ticket.summary": "summary", "ticket.department": "department",
}

