"""The hall's page forms: booking (by the applicant, and by staff for a caller), check-in by
code, and the hall managers' edits. What was typed is kept on every error; the services'
FieldErrors are shown next to their field (views.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms

from zhengwu.core.forms import DateInput, ErrorsDescribed, TextField
from zhengwu.hall.models import DAY_TYPES, SESSION_KINDS, WindowKind
from zhengwu.hall.queue_figures import period_error

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class BookForm(ErrorsDescribed):
    """Choose the hall, the item and the date (GET: the slots are listed), then the slot
    (POST)."""

    hall = forms.ChoiceField(label="大厅")
    item = forms.ChoiceField(label="事项")
    date = forms.DateField(label="日期", widget=DateInput(),
                           error_messages={"required": "请选择日期。", "invalid": "日期格式不正确。"})
    slot = forms.CharField(label="时段", required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, halls: list[tuple[str, str]], items: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["hall"]).choices = halls
        cast(forms.ChoiceField, self.fields["item"]).choices = [("", "请选择事项"), *items]
        self.fields["hall"].error_messages["required"] = "请选择大厅。"
        self.fields["hall"].error_messages["invalid_choice"] = "没有该大厅。"
        self.fields["item"].error_messages["required"] = "请选择事项。"
        self.fields["item"].error_messages["invalid_choice"] = "该大厅不受理此事项的预约。"


class CallerForm(BookForm):
    """Staff book for a caller (电话预约): who it is for."""

    name = TextField(label="姓名", max_length=150, required=False)
    id_number = forms.CharField(label="身份证号码", max_length=18, required=False)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)


class CodeForm(ErrorsDescribed):
    code = forms.CharField(label="预约码", max_length=20,
                           error_messages={"required": "请输入预约码。"})


class SettingsForm(ErrorsDescribed):
    slot_minutes = forms.IntegerField(label="预约时段长度（分钟）", required=False)
    per_window = forms.IntegerField(label="每窗口每时段预约数", required=False)
    phone = forms.CharField(label="电话", max_length=40, required=False)
    address = TextField(label="地址", max_length=200, required=False)


class HoursForm(ErrorsDescribed):
    day_type = forms.ChoiceField(label="适用日", choices=DAY_TYPES)
    kind = forms.ChoiceField(label="类别", choices=SESSION_KINDS)
    start = forms.TimeField(label="开始", widget=TIME, required=False,
                            error_messages={"invalid": "时间格式不正确。"})
    end = forms.TimeField(label="结束", widget=TIME, required=False,
                          error_messages={"invalid": "时间格式不正确。"})


class ExceptionForm(ErrorsDescribed):
    date = forms.DateField(label="日期", widget=DateInput(), required=False,
                           error_messages={"invalid": "日期格式不正确。"})
    closed = forms.BooleanField(label="闭厅（全天不开放）", required=False)
    start = forms.TimeField(label="加开时段开始", widget=TIME, required=False,
                            error_messages={"invalid": "时间格式不正确。"})
    end = forms.TimeField(label="加开时段结束", widget=TIME, required=False,
                          error_messages={"invalid": "时间格式不正确。"})
    reason = TextField(label="原因", max_length=200, required=False)


class WindowForm(ErrorsDescribed):
    number = forms.CharField(label="窗口号", max_length=10, required=False)
    kind = forms.ChoiceField(label="窗口类别", choices=WindowKind.choices)
    group = TextField(label="窗口组", max_length=40, required=False)
    zone = TextField(label="区域", max_length=60, required=False)
    department = TextField(label="所属部门（简称）", max_length=100, required=False)
    active = forms.BooleanField(label="启用", required=False, initial=True)


class DutyForm(ErrorsDescribed):
    window = forms.CharField(label="窗口号", max_length=10, required=False)
    date = forms.DateField(label="日期", widget=DateInput(), required=False,
                           error_messages={"invalid": "日期格式不正确。"})
    username = forms.CharField(label="工作人员账号", max_length=150, required=False)


class ResidenceForm(ErrorsDescribed):
    department = TextField(label="部门（简称）", max_length=100, required=False)
    since = forms.DateField(label="进驻日期", widget=DateInput(), required=False,
                            error_messages={"invalid": "日期格式不正确。"})
    authorized = forms.BooleanField(label="首席代表授权到位", required=False)


class ServiceForm(ErrorsDescribed):
    implementation = forms.CharField(label="事项实施编码", max_length=31, required=False)
    window_group = TextField(label="窗口组", max_length=40, required=False)
    hall_only = forms.BooleanField(label="只在大厅办理", required=False, initial=True)
    after_hours = forms.BooleanField(label="可预约延时", required=False)
    bookable = forms.BooleanField(label="可预约", required=False, initial=True)


class DeleteForm(forms.Form):
    pk = forms.IntegerField()


# --- the queue (取号叫号) ---------------------------------------------------------------------


def _priority_choices() -> list[tuple[str, str]]:
    from zhengwu.hall.rules import priority_groups

    return [("", "无"), *priority_groups().items()]


class KioskForm(ErrorsDescribed):
    """取号 at the kiosk: by ID card number or by phone number, for a window group."""

    WAYS = [("id", "身份证"), ("phone", "手机号")]
    way = forms.ChoiceField(label="取号方式", choices=WAYS, widget=forms.RadioSelect,
                            initial="id", error_messages={"required": "请选择取号方式。"})
    group = forms.ChoiceField(label="办理业务", error_messages={
        "required": "请选择要办理的业务。", "invalid_choice": "请选择要办理的业务。"})
    id_number = forms.CharField(label="身份证号码", max_length=18, required=False)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    priority = forms.ChoiceField(label="优先服务", required=False, help_text=(
        "70岁以上老人按身份证号码自动优先。"))

    def __init__(self, *args: Any, groups: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["group"]).choices = [("", "请选择"), *groups]
        cast(forms.ChoiceField, self.fields["priority"]).choices = _priority_choices()


class PhoneTicketForm(ErrorsDescribed):
    """电话取号: staff take a number for a caller."""

    group = forms.ChoiceField(label="办理业务", error_messages={
        "required": "请选择要办理的业务。", "invalid_choice": "请选择要办理的业务。"})
    name = TextField(label="姓名", max_length=150, required=False)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    id_number = forms.CharField(label="身份证号码（可不填）", max_length=18, required=False)
    priority = forms.ChoiceField(label="优先服务", required=False)

    def __init__(self, *args: Any, groups: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["group"]).choices = [("", "请选择"), *groups]
        cast(forms.ChoiceField, self.fields["priority"]).choices = _priority_choices()


class TicketActionForm(ErrorsDescribed):
    ticket = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    group = forms.CharField(label="转往窗口组", max_length=40, required=False)


class PadForm(ErrorsDescribed):
    """The window's rating pad: five levels; reasons for 不满意/非常不满意."""

    ticket = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    level = forms.TypedChoiceField(label="满意度", coerce=int, widget=forms.RadioSelect,
                                   error_messages={"required": "请选择满意度。",
                                                   "invalid_choice": "请选择满意度。"})
    reasons = forms.MultipleChoiceField(label="不满意的原因", required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, levels: list[tuple[int, str]],
                 reasons: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["level"]).choices = levels
        cast(forms.ChoiceField, self.fields["reasons"]).choices = reasons
class QueuePeriodForm(ErrorsDescribed):
    """The period of the queue figures (取号叫号统计): Beijing dates, both included; a date
    left out is today."""

    start = forms.DateField(label="开始日期", required=False, widget=DateInput(),
                            error_messages={"invalid": "日期格式不正确。"})
    end = forms.DateField(label="结束日期", required=False, widget=DateInput(),
                          error_messages={"invalid": "日期格式不正确。"})

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            data["start"] = data.get("start") or self.today
            data["end"] = data.get("end") or self.today
            error = period_error(data["start"], data["end"])
            if error:
                self.add_error("end", error)
        return data
