"""The audit log's filters (审计日志, issue 16): who, what, when and which object, each checked
so that a mistyped date says so instead of failing or being ignored silently."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from zhengwu.core import clock
from zhengwu.core.models import AuditEvent
from zhengwu.portal import audit_labels

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _action_choices() -> list[tuple[str, str]]:
    """Every labelled action (the ones the source writes), by its label."""
    codes = set(audit_labels.LABELS)
    for prefix, process in audit_labels.PROCESSES.items():
        codes |= {f"{prefix}.{move}" for move in process.table.moves}
    return [("", "全部"), *sorted(((c, audit_labels.action_label(c)) for c in codes),
                                  key=lambda pair: (pair[1], pair[0]))]


def _role_choices() -> list[tuple[str, str]]:
    return [("", "全部"), *sorted(audit_labels.ROLE_LABELS.items(), key=lambda p: p[1])]


def _type_choices() -> list[tuple[str, str]]:
    models = {p.model for p in audit_labels.PROCESSES.values()}
    return [("", "全部"), *sorted(((m, audit_labels.object_type_label(m)) for m in models),
                                  key=lambda pair: pair[1])]


class AuditFilterForm(forms.Form):
    who = forms.CharField(label="操作人", required=False, max_length=80,
                          widget=forms.TextInput(attrs={"placeholder": "姓名或账号"}))
    role = forms.ChoiceField(label="角色", required=False)
    action = forms.ChoiceField(label="动作", required=False)
    object_type = forms.ChoiceField(label="对象类别", required=False)
    object = forms.CharField(label="对象包含", required=False, max_length=80,
                             widget=forms.TextInput(attrs={"placeholder": "编号或名称"}))
    since = forms.DateField(label="起始日期", required=False, widget=DATE_INPUT,
                            error_messages={"invalid": "请输入有效日期，如 2026-12-01。"})
    until = forms.DateField(label="截止日期", required=False, widget=DATE_INPUT,
                            error_messages={"invalid": "请输入有效日期，如 2026-12-31。"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices()  # type: ignore[attr-defined]
        self.fields["action"].choices = _action_choices()  # type: ignore[attr-defined]
        self.fields["object_type"].choices = _type_choices()  # type: ignore[attr-defined]
        for name in ("role", "action", "object_type"):
            self.fields[name].error_messages["invalid_choice"] = "请从列表中选择。"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "截止日期不能早于起始日期。")
        return cleaned

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """The events that match the valid filters (an invalid one filters nothing: its
        message shows next to it)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        valid = {k: v for k, v in data.items() if k not in self.errors and v}
        if "who" in valid:
            events = events.filter(Q(actor_label__contains=valid["who"])
                                   | Q(actor__username=valid["who"]))
        for key in ("role", "action", "object_type"):
            if key in valid:
                events = events.filter(**{key: valid[key]})
        if "object" in valid:
            events = events.filter(Q(object_repr__contains=valid["object"])
                                   | Q(object_id=valid["object"]))
        if "since" in valid:
            events = events.filter(at__gte=_start_of(valid["since"]))
        if "until" in valid:
            events = events.filter(at__lt=_start_of(valid["until"] + dt.timedelta(days=1)))
        return events


def _start_of(day: dt.date) -> dt.datetime:
    """The start of a Beijing-time day (the dates a person types are Beijing dates)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.SHANGHAI)
