"""Sign-in forms, the forms of sign-up, password reset, change of phone and closing, and the
address form of 我的空间."""

from __future__ import annotations

from typing import Any

from django import forms

from zhengwu.accounts import services
from zhengwu.accounts.signup import PASSWORD_HELP
from zhengwu.core.forms import ErrorsDescribed, TextField, refuse


class LoginForm(forms.Form):
    username = forms.CharField(label="用户名或手机号", max_length=150)
    password = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput)


class TotpForm(forms.Form):
    """A 6-digit TOTP code, or a recovery code (10 letters and digits, dash optional)."""

    code = forms.RegexField(label="动态验证码", max_length=16,
                            regex=r"^\s*(\d{6}|[A-Za-z0-9]{5}-?[A-Za-z0-9]{5})\s*$",
                            error_messages={"invalid": "请输入认证器上的6位数字，或一个恢复码。"},
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                          "inputmode": "text"}))


# --- sign-up, password reset, change of phone, closing (accounts.signup, accounts.closing) ---
# The services check the values (one rule in one place); these forms only carry them, keep
# what was typed (never a password) and mark the fields a service refused.

def _phone_field(label: str = "手机号") -> forms.CharField:
    return forms.CharField(label=label, max_length=20, required=False, widget=forms.TextInput(
        attrs={"autocomplete": "tel", "inputmode": "tel", "required": True}))


def _code_field(label: str = "短信验证码") -> forms.CharField:
    return forms.CharField(label=label, max_length=6, required=False, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "required": True}))


def _password_field(label: str = "密码", help_text: str = "",
                    autocomplete: str = "new-password") -> forms.CharField:
    return forms.CharField(label=label, strip=False, required=False, help_text=help_text,
                           widget=forms.PasswordInput(attrs={"autocomplete": autocomplete,
                                                             "required": True}))


class ServiceForm(ErrorsDescribed):
    """A form whose rules live in a service: `refuse` puts the service's field messages on
    the fields (or above the form for fields it does not have)."""

    def refuse(self, fields: dict[str, str]) -> None:
        refuse(self, fields)

    def value(self, name: str) -> str:
        return str(self.cleaned_data.get(name) or "")


class SignupForm(ServiceForm):
    phone = _phone_field()
    code = _code_field()
    display_name = forms.CharField(label="姓名", max_length=50, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "name",
                                                                 "required": True}))
    password = _password_field(help_text=PASSWORD_HELP)
    consent = forms.BooleanField(label="我已阅读并同意隐私政策", required=False)


class PasswordResetForm(ServiceForm):
    phone = _phone_field()
    code = _code_field()
    password = _password_field(label="新密码", help_text=PASSWORD_HELP)


class PhoneChangeForm(ServiceForm):
    password = _password_field(label="当前密码", autocomplete="current-password")
    old_code = _code_field(label="原手机号收到的验证码")
    new_phone = _phone_field(label="新手机号")
    new_code = _code_field(label="新手机号收到的验证码")


class CloseForm(ServiceForm):
    password = _password_field(label="当前密码", autocomplete="current-password")
    code = _code_field()
    confirm = forms.BooleanField(label="我已了解注销后不能再登录，以及哪些信息会被保留", required=False)


class ConsentForm(ErrorsDescribed):
    version = forms.CharField(widget=forms.HiddenInput)
    consent = forms.BooleanField(label="我已阅读并同意新版隐私政策",
                                 error_messages={"required": "请勾选同意后继续。"})


class AddressForm(ErrorsDescribed):
    """One address of 我的空间. The rules are accounts.services.address_clean's, required-ness
    included (its refusal is put next to the field it names), so the page and the API say the
    same."""

    label = TextField(label="名称", required=False,
                      help_text="如“家”“单位”，最多 20 个字",
                      widget=forms.TextInput(attrs={"required": True}))
    region = forms.ChoiceField(label="所在区划", required=False,
                               widget=forms.Select(attrs={"required": True}))
    detail = TextField(label="详细地址", required=False,
                       help_text="街道（路）、门牌号、小区楼栋单元房号",
                       widget=forms.TextInput(attrs={"required": True,
                                                     "autocomplete": "street-address"}))
    postcode = TextField(label="邮政编码", required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                             "autocomplete": "postal-code"}))
    is_default = forms.BooleanField(label="设为默认地址（填表时优先带出）", required=False)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)
        region.choices = [("", "请选择"), *regions]

    def address_in(self) -> services.AddressIn:
        data = self.cleaned_data
        return services.AddressIn(
            label=data.get("label") or "", region_code=data.get("region") or "",
            detail=data.get("detail") or "", postcode=data.get("postcode") or "",
            is_default=bool(data.get("is_default")))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            services.address_clean(self.address_in())
        except services.AddressInvalid as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned
