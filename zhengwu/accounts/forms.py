"""Sign-in forms."""

from __future__ import annotations

from django import forms


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
