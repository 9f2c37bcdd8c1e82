"""Forms of the staff pages of cases that are not about one case: the period of the
electronic-licence KPIs (cases.licence_kpis.period_parse is the rule, for page and API)."""

from __future__ import annotations

from typing import Any

from django import forms

from zhengwu.cases import licence_kpis
from zhengwu.core import clock
from zhengwu.core.forms import ErrorsDescribed


class MonthInput(forms.TextInput):
    """`<input type="month">`: browsers send YYYY-MM, the form the period rule reads."""

    input_type = "month"


class LicenceKpiPeriodForm(ErrorsDescribed):
    start = forms.CharField(label="开始月份", required=False, max_length=7,
                            widget=MonthInput(attrs={"placeholder": "2026-01"}))
    end = forms.CharField(label="结束月份", required=False, max_length=7,
                          widget=MonthInput(attrs={"placeholder": "2026-12"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            data["period"] = licence_kpis.period_parse(data.get("start"), data.get("end"),
                                                       today=clock.today())
        except licence_kpis.BadPeriod as refused:
            self.add_error(refused.field, refused.message)
        return data
