"""The item search form (搜索事项): the catalogue's search page and the portal home show it, so
it lives outside catalog.forms — other apps import no app's entry points (pyproject.toml,
import-linter)."""

from __future__ import annotations

from typing import Any

from django import forms

from zhengwu.catalog.models import Level, Theme
from zhengwu.departments.models import Department
from zhengwu.regions.models import Region
from zhengwu.regions.selectors import home_region


class SearchForm(forms.Form):
    q = forms.CharField(label="搜索事项", max_length=50, required=False,
                        error_messages={"max_length": "搜索词太长：最多 50 个字，请精简后再搜。"},
                        widget=forms.TextInput(attrs={
                            "placeholder": "例如：开饭店、营业执照、yyzz、生孩子",
                            "autocomplete": "off", "type": "search"}))
    audience = forms.ChoiceField(label="服务对象", required=False, choices=[
        ("", "全部"), ("person", "个人办事"), ("enterprise", "法人办事")])
    theme = forms.ModelChoiceField(label="主题", required=False, queryset=Theme.objects.all(),
                                   empty_label="全部主题")
    department = forms.ModelChoiceField(label="部门", required=False, empty_label="全部部门",
                                        queryset=Department.objects.none())
    level = forms.TypedChoiceField(label="层级", required=False, coerce=int, empty_value=None,
                                   choices=[("", "全部层级"), *[(c, lbl) for c, lbl in Level.choices
                                                               if c in (4, 5, 6)]])
    region = forms.ModelChoiceField(label="办理地区", required=False, empty_label="全部地区",
                                    to_field_name="code", queryset=Region.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The choices are this deployment's county and its townships, not a province's
        # thousands of units (a village picks its township; its own items come with it).
        home = home_region()
        prefix = home.prefix if home else ""
        self.fields["department"].queryset = Department.objects.filter(  # type: ignore[attr-defined]
            region__code__startswith=prefix).exclude(kind="村(居)民委员会").order_by(
            "region_id", "id")
        self.fields["region"].queryset = Region.objects.filter(  # type: ignore[attr-defined]
            code__startswith=prefix, level__in=["county", "street", "town", "township"])
