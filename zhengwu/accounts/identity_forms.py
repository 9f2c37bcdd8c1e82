"""Forms of the 实名认证, 柜面核验 and 授权管理 pages: field by field input checks; the rules are
in accounts.identity and accounts.mandates, whose refusals land next to the field they are
about (`field_for`)."""

from __future__ import annotations

import re
from typing import Any, Final

from django import forms

from zhengwu.accounts.identity import id_number_checked
from zhengwu.accounts.models import User
from zhengwu.core.errors import InvalidInput
from zhengwu.core.forms import DateInput, ErrorsDescribed, TextField

# A service refusal's code → the form field it is about (others go above the form).
FIELD_OF_CODE: Final = {
    "identity.name_invalid": "name", "identity.id_number_invalid": "id_number",
    "identity.not_verified": "id_number", "identity.number_taken": "id_number",
    "identity.already_verified": "id_number",
    "authorization.agent_unknown": "agent_phone", "authorization.self": "agent_phone",
    "authorization.item_code": "item_codes", "authorization.scope": "item_codes",
    "authorization.dates": "ends_on", "authorization.letter": "letter",
    "authorization.principal_unknown": "principal_identifier",
    "accounts.phone_invalid": "account_phone", "accounts.phone_taken": "account_phone",
    "accounts.consent_missing": "paper_consent", "accounts.notice_outdated": "paper_consent",
    "identity.name_differs": "card_prevails",
}


def field_for(form: forms.Form, code: str) -> str | None:
    field = FIELD_OF_CODE.get(code)
    return field if field in form.fields else None


def _date() -> forms.DateField:
    return forms.DateField(widget=DateInput(),
                           error_messages={"invalid": "请按 年-月-日 填写日期。",
                                           "required": "请填写日期。"})


class VerifyForm(ErrorsDescribed):
    name = TextField(label="姓名", max_length=150, strip=True,
                     widget=forms.TextInput(attrs={"autocomplete": "name", "required": True}),
                     error_messages={"required": "请填写姓名。"})
    id_number = forms.CharField(label="居民身份证号码", max_length=18, min_length=18,
                                widget=forms.TextInput(attrs={"autocomplete": "off",
                                                              "required": True}),
                                error_messages={"required": "请填写身份证号码。",
                                                "min_length": "身份证号码应为18位。",
                                                "max_length": "身份证号码应为18位。"})

    def clean_id_number(self) -> str:
        # The service checks it again; checked here too, it is said with the form's other
        # errors (a wrong check digit and a missing consent in one answer).
        try:
            return id_number_checked(self.cleaned_data["id_number"])
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from error


class WindowVerifyForm(VerifyForm):
    """柜面核验: the account (by mobile number) and the name and number on the ID card seen."""

    account_phone = forms.CharField(label="申请人账号（注册手机号）", max_length=20,
                                    widget=forms.TextInput(attrs={"inputmode": "tel",
                                                                  "required": True}),
                                    error_messages={"required": "请填写申请人注册账号的手机号。"})
    checked = forms.BooleanField(label="已当面查验居民身份证原件，人证相符",
                                 error_messages={"required": "请确认已当面查验身份证原件。"})
    paper_consent = forms.BooleanField(
        label="申请人已签署纸质《个人信息处理规则》同意书（当前版本，原件留窗口存档）", required=False)
    open_account = forms.BooleanField(
        label="该手机号尚无账号时，为申请人开户（须已签署纸质同意书；申请人日后用“找回密码”设置密码）",
        required=False)
    # Shown once the provider knows the number under another name (identity.name_differs).
    card_prevails = forms.BooleanField(
        label="以证件为准：已再次核对，居民身份证上的姓名和号码与所填一致", required=False)

    field_order = ["account_phone", "name", "id_number", "card_prevails", "checked",
                   "paper_consent", "open_account"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("open_account") and not cleaned.get("paper_consent"):
            self.add_error("paper_consent", "为申请人开户前，须请其签署纸质《个人信息处理规则》同意书。")
        return cleaned


class _ScopeForm(ErrorsDescribed):
    scope_all = forms.BooleanField(label="全部事项", required=False)
    item_codes = forms.CharField(
        label="授权事项（基本编码）", required=False, max_length=2000,
        help_text="不选“全部事项”时填写，多个编码用逗号或空格分隔（见办事指南中的事项编码）。")
    starts_on = _date()
    ends_on = _date()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].label = "起始日期"
        self.fields["ends_on"].label = "截止日期"

    @property
    def codes(self) -> list[str]:
        return [c for c in re.split(r"[\s,，、;；]+", self.cleaned_data.get("item_codes") or "")
                if c]


class GrantForm(_ScopeForm):
    """The principal's side names an agent."""

    principal = forms.ChoiceField(label="授权人")
    agent_phone = forms.CharField(label="经办人（受托人）注册手机号", max_length=20,
                                  widget=forms.TextInput(attrs={"inputmode": "tel",
                                                                "required": True}),
                                  error_messages={"required": "请填写经办人的注册手机号。"})

    field_order = ["principal", "agent_phone", "scope_all", "item_codes", "starts_on", "ends_on"]

    def __init__(self, *args: Any, principals: list[User], **kwargs: Any) -> None:
        super().__init__(*args, prefix="grant", **kwargs)
        field = self.fields["principal"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(p.pk), str(p)) for p in principals]
        self.principals = {str(p.pk): p for p in principals}

    def chosen_principal(self) -> User:
        return self.principals[self.cleaned_data["principal"]]


class RequestForm(_ScopeForm):
    """The agent asks: confirmed by the principal online, or with a signed 授权委托书."""

    principal_identifier = forms.CharField(
        label="委托人（授权人）", max_length=64,
        help_text="对方的注册手机号；企业填写统一社会信用代码。",
        error_messages={"required": "请填写委托人的注册手机号或统一社会信用代码。"})
    letter = forms.FileField(label="已签署的授权委托书（可选）", required=False,
                             help_text="上传后即可使用，窗口受理时核验原件；不上传则需委托人在网上确认。",
                             widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    letter_reference = forms.CharField(label="委托书编号或说明（可选）", max_length=200,
                                       required=False)

    field_order = ["principal_identifier", "scope_all", "item_codes", "starts_on", "ends_on",
                   "letter", "letter_reference"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="request", **kwargs)
