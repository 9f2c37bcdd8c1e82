"""Sign-in forms and the address form of 我的空间."""

from __future__ import annotations

from typing import Any

from django import forms

from zhengwu.accounts import services
from zhengwu.core.forms import ErrorsDescribed, TextField


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
