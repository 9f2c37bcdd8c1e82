"""Forms of the 一件事 staff pages. They check the input field by field (Chinese messages next
to the form that caused them) and turn it into what bundles.services takes; the rules
themselves stay in the services."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.http import QueryDict

from zhengwu.cases.models import DeliveryMethod

# Rows the window clerk (and a department) may add to the one supplement notice.
FREE_ROWS = 3
MAX_ROWS = 50
ROW_KEY = re.compile(r"^sup_(material|reason|item)_(\d{1,2})$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
# What json.loads says, in Chinese (the position is given separately).
JSON_MESSAGES = {
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting value": "缺少值（或多了逗号）",
    "Expecting property name enclosed in double quotes": "属性名须用英文双引号括起（或多了逗号）",
    "Extra data": "JSON 结束后还有多余的内容",
    "Unterminated string starting at": "字符串缺少结束的引号",
    "Invalid control character at": "字符串中不能直接换行或含控制字符",
    "Invalid \\escape": "无效的转义字符",
}


class BundleMoveForm(forms.Form):
    """The inputs a window move may carry; which ones a move needs is checked by the service."""

    reason = forms.CharField(label="理由", required=False, max_length=2000)
    delivery_method = forms.ChoiceField(label="送达方式", required=False,
                                        choices=[("", "请选择"), *DeliveryMethod.choices])
    tracking_number = forms.CharField(label="邮寄单号", required=False, max_length=40)

    def message(self) -> str:
        """All field errors as one line, for the message next to the action's form."""
        return "；".join(f"{self.fields[k].label if k in self.fields else ''}：{e}".lstrip("：")
                        for k, errors in self.errors.items() for e in errors)


def _row_indexes(data: QueryDict) -> list[int]:
    found = set()
    for key in data:
        match = ROW_KEY.match(key)
        if match:
            found.add(int(match.group(2)))
    return sorted(found)[:MAX_ROWS]


def supplement_rows_from(data: QueryDict, *, items: dict[str, str] | None = None,
                         ) -> tuple[list[dict[str, str]], list[str]]:
    """The supplement rows typed into a form (`sup_material_N`, `sup_reason_N` and, for the
    window, `sup_item_N`: the member item code, "" for every member). Empty rows are skipped;
    a row needs both the material and the reason."""
    rows: list[dict[str, str]] = []
    errors: list[str] = []
    for index in _row_indexes(data):
        material = data.get(f"sup_material_{index}", "").strip()[:200]
        reason = data.get(f"sup_reason_{index}", "").strip()[:500]
        item = data.get(f"sup_item_{index}", "").strip()[:12] if items is not None else ""
        if not material and not reason:
            continue
        if not material:
            errors.append(f"请填写原因“{reason[:20]}”对应的材料名称。")
            continue
        if not reason:
            errors.append(f"请写明“{material}”需补正的原因。")
        if items is not None and item and item not in items:
            errors.append(f"“{material}”所选的事项不属于本一件事。")
        row = {"material": material, "reason": reason}
        if items is not None:
            row["item"] = item
        rows.append(row)
    return rows, errors


def posted_rows(data: QueryDict) -> list[dict[str, Any]]:
    """The rows as typed, to show them again after a refused attempt (nothing lost)."""
    return [{"index": index, "material": data.get(f"sup_material_{index}", "")[:200],
             "reason": data.get(f"sup_reason_{index}", "")[:500],
             "item": data.get(f"sup_item_{index}", "")[:12]}
            for index in _row_indexes(data)]


def blank_rows(first: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """Rows for a fresh form: the given ones (e.g. materials missing at submission), then
    empty rows."""
    rows: list[dict[str, Any]] = [{"index": index, "item": "", **row}
                                  for index, row in enumerate(first or [])]
    start = len(rows)
    rows += [{"index": start + i, "material": "", "reason": "", "item": ""}
             for i in range(FREE_ROWS)]
    return rows


def json_error(error: json.JSONDecodeError) -> str:
    message = next((text for key, text in JSON_MESSAGES.items() if error.msg.startswith(key)),
                   error.msg)
    return f"JSON 格式有误：第 {error.lineno} 行第 {error.colno} 列，{message}。"


class DefinitionForm(forms.Form):
    """A bundle definition typed as JSON (and, for a new bundle, its code)."""

    code = forms.CharField(label="一件事编码", required=False, max_length=40,
                           help_text="字母、数字、短横线或下划线，如 LY-QYKB；发布后不可更改。",
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    definition = forms.CharField(label="定义（JSON）", max_length=200_000, strip=False,
                                 widget=forms.Textarea(attrs={"rows": 32, "cols": 96,
                                                              "spellcheck": "false",
                                                              "class": "mono"}))

    def __init__(self, *args: Any, new: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.new = new
        if new:
            self.fields["code"].widget.attrs["required"] = True
        else:
            del self.fields["code"]
        self.data_object: dict[str, Any] = {}

    def clean_code(self) -> str:
        code = str(self.cleaned_data.get("code") or "").strip()
        if not code:
            raise forms.ValidationError("请填写一件事编码。")
        if not CODE.match(code):
            raise forms.ValidationError("编码只能由字母、数字、短横线和下划线组成，以字母或数字开头，"
                                        "不超过40个字符。")
        return code

    def clean_definition(self) -> str:
        text = str(self.cleaned_data.get("definition") or "")
        if not text.strip():
            raise forms.ValidationError("请填写一件事定义。")
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(json_error(error)) from error
        except RecursionError as error:
            raise forms.ValidationError("JSON 嵌套层数过多。") from error
        if not isinstance(value, dict):
            raise forms.ValidationError("定义必须是一个 JSON 对象（以 { 开头、以 } 结尾）。")
        self.data_object = value
        return text


class ReviewForm(forms.Form):
    note = forms.CharField(label="审核意见", required=False, max_length=2000)
