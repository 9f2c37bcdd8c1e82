"""The item search form (搜索事项): the catalogue's search page and the portal home show it, so
it lives outside catalog.forms — other apps import no app's entry points (pyproject.toml,
import-linter).

办理地区 is a drill-down picker and 部门 follows it (issue 16): the options are the deployment's
region, its children, and the children of each region on the way to the one picked
(regions.selectors.picker_tree); the departments are those of the picked region (a county's
with its townships'). A county deployment so offers its townships and departments as before;
a province platform some 40 regions and a few dozen departments instead of 8,607 options.
Changing the region re-renders the picker (htmx, out of band); without JavaScript the next
search does. Any pickable region and any department may be submitted (a link, a bookmark):
the options only limit what is shown."""

from __future__ import annotations

from typing import Any

from django import forms

from zhengwu.catalog.models import Level, Theme
from zhengwu.core.forms import PlainSelect
from zhengwu.departments.models import Department, DepartmentKind
from zhengwu.departments.selectors import picker_departments
from zhengwu.regions.models import Region
from zhengwu.regions.selectors import pickable_region, picker_roots, picker_tree

INDENT = "\u3000"  # a full-width space per level of the region tree


def _region_code(value: Any) -> str:
    code = str(value or "").strip()
    return code if code.isdigit() and len(code) <= 12 else ("" if not code else "?")


class RegionPickField(forms.ChoiceField):
    """A region by its code, as a Region; the choices (and `picked`, the region the submitted
    code names, looked up once) are set by the form."""

    picked: Region | None = None

    def valid_value(self, value: Any) -> bool:
        return True  # checked in to_python against every pickable region, not the shown few

    def to_python(self, value: Any) -> Region | None:  # type: ignore[override]
        code = _region_code(value)
        if not code:
            return None
        region = self.picked if self.picked is not None and self.picked.code == code else None
        if region is None:
            raise forms.ValidationError("办理地区无效：请从列表中选择地区。", code="invalid_choice")
        return region


class SearchForm(forms.Form):
    q = forms.CharField(label="搜索事项", max_length=50, required=False,
                        error_messages={"max_length": "搜索词太长：最多 50 个字，请精简后再搜。"},
                        widget=forms.TextInput(attrs={
                            "placeholder": "例如：开饭店、营业执照、yyzz、生孩子",
                            "autocomplete": "off", "type": "search"}))
    audience = forms.ChoiceField(label="服务对象", required=False, widget=PlainSelect, choices=[
        ("", "全部"), ("person", "个人办事"), ("enterprise", "法人办事")])
    theme = forms.ModelChoiceField(label="主题", required=False, queryset=Theme.objects.all(),
                                   empty_label="全部主题", widget=PlainSelect)
    department = forms.ModelChoiceField(
        label="部门", required=False, empty_label="全部部门", widget=PlainSelect,
        queryset=Department.objects.exclude(kind=DepartmentKind.VILLAGE),
        error_messages={"invalid_choice": "部门无效：请从列表中选择部门。"})
    level = forms.TypedChoiceField(label="层级", required=False, coerce=int, empty_value=None,
                                   widget=PlainSelect,
                                   choices=[("", "全部层级"), *[(c, lbl) for c, lbl in Level.choices
                                                               if c in (4, 5, 6)]])
    region = RegionPickField(label="办理地区", required=False, widget=PlainSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roots = picker_roots()
        code = _region_code(self.data.get("region", "")) if self.is_bound else ""
        picked = pickable_region(code, roots) if code not in ("", "?") else None
        region: Any = self.fields["region"]
        region.picked = picked
        region.choices = [("", "全部地区"), *(
            (r.code, INDENT * depth + r.name) for r, depth in picker_tree(picked, roots))]
        departments = list(picker_departments([picked] if picked else roots).values_list(
            "pk", "name"))
        chosen = self.data.get("department", "") if self.is_bound else ""
        if chosen.isdigit() and all(str(pk) != chosen for pk, _ in departments):
            # A department from a link stays shown as chosen, though outside the region.
            departments += list(Department.objects.filter(pk=int(chosen)).exclude(
                kind=DepartmentKind.VILLAGE).values_list("pk", "name"))
        department: Any = self.fields["department"]
        department.choices = [("", "全部部门"), *departments]
