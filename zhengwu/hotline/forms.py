"""The forms of the 12345 pages: the operator's new call (and the portal's 我要反映), the
desk's lookups (caller history by phone, knowledge search), the staff list's filters, the
move forms of a work order's page and the routing rules' new version.

The rules (limits, who may move what, what a reply or a callback must hold) are the
services'; these forms only carry what was typed back to the page with each error next to
its field (FIELD_OF_CODE maps a service's error code to the field it is about).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, cast

from django import forms

from zhengwu.cases.kept_uploads import KeepsUploads
from zhengwu.core.forms import ErrorsDescribed, TextField
from zhengwu.core.upload_check import ACCEPT
from zhengwu.departments.models import Department
from zhengwu.hotline.models import Category, Channel, OrderKind, Satisfaction, Status, Urgency
from zhengwu.hotline.services import RuleRow
from zhengwu.regions.models import TOWNSHIP_LEVELS, Region

# The channels an operator types an order in from (the others arrive by import or API).
DESK_CHANNELS = (Channel.PHONE, Channel.LETTER, Channel.EMAIL)


def category_choices() -> list[tuple[str, str]]:
    """The category tree as one select: each level indented under its parent (codes sort
    parents before their children)."""
    rows = Category.objects.filter(active=True).order_by("code").values_list(
        "code", "name", "level")
    return [(code, f"{'　' * (level - 1)}{name}") for code, name, level in rows]


def region_choices() -> list[tuple[str, str]]:
    """The county and its townships (乡镇、街道): where the matter is."""
    home = Region.objects.filter(home=True).first()
    if home is None:
        return []
    towns = Region.objects.filter(code__startswith=home.prefix,
                                  level__in=TOWNSHIP_LEVELS).order_by("code")
    return [(home.code, f"{home.name}（全市）"), *((r.code, r.name) for r in towns)]


def department_choices() -> list[tuple[str, str]]:
    """Departments an order may be sent to: the county's and its townships' (no village
    committees: a 12345 order goes to the township, which 下派s further)."""
    rows = (Department.objects.exclude(kind="村(居)民委员会")
            .order_by("region__code", "short_name").values_list("pk", "short_name"))
    return [(str(pk), name) for pk, name in rows]


def township_department_choices() -> list[tuple[str, str]]:
    rows = (Department.objects.filter(kind__in=("乡镇人民政府", "街道办事处"))
            .order_by("region__code").values_list("pk", "short_name"))
    return [(str(pk), name) for pk, name in rows]


def _choose(label: str, choices: list[tuple[str, str]], **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=[("", "请选择"), *choices], required=False,
                             **kwargs)


class CountsErrors(forms.Form):
    """`error_count`: what the list above a refused 12345 form counts (each error, not each
    field: a rules table with two bad rows has two)."""

    @property
    def error_count(self) -> int:
        return sum(len(errors) for errors in self.errors.values())


class PageForm(CountsErrors, ErrorsDescribed):
    """A form of the 12345 pages."""


ATTACHMENT_SLOTS = ("attachment_1", "attachment_2", "attachment_3")
# The fields in the order the pages show them (desk.html, new.html), so that the list of
# errors above a refused form follows the page.
DESK_ORDER = ["channel", "caller_phone", "caller_name", "caller_email", "enterprise_uscc",
              "confidential", "kind", "title", "content", "category", "urgency", "region",
              "address"]
PORTAL_ORDER = ["kind", "title", "content", "category", "urgency", "region", "address",
                *ATTACHMENT_SLOTS, "caller_phone", "enterprise_uscc", "confidential",
                "publish_consent"]
# 互动交流 (measure [24]). Unticked unless the caller ticks it: 个人信息保护法 art. 14 wants
# consent given by the person's own clear act (a ticked box by default is not one), art. 25
# separate consent to make personal information public; the texts published are edited, but
# the matter itself is the caller's.
CONSENT_LABEL = "同意在办结后公开我的诉求和答复（隐去个人信息）"
CONSENT_HELP = ("同意后，12345热线可在办结后将您的诉求和答复（隐去姓名、电话、证件号码等个人信息）"
                "公布在“互动交流”栏目；举报类诉求不公开。您可随时在“我的12345诉求”中撤回同意，"
                "撤回后立即撤下。")


class OrderForm(CountsErrors, KeepsUploads):
    """A new order: the operator's call (with the caller's name and phone) or the portal's
    我要反映 (the account's name and phone, and up to three files kept across a refusal by
    cases.staging). The operator adds a letter's scan on the order's page after 受理: the
    desk's lookups post the form back, and a file input cannot be refilled."""

    kind = forms.ChoiceField(label="诉求类型", choices=[("", "请选择"), *OrderKind.choices],
                             required=False)
    title = TextField(label="标题", max_length=100, required=False,
                      help_text="一句话概括诉求，例如“某小区路灯不亮”。")
    content = TextField(label="诉求内容", max_length=4000, required=False,
                        widget=forms.Textarea(attrs={"rows": 5}))
    category = forms.ChoiceField(label="诉求分类（选填）", required=False)
    region = forms.ChoiceField(label="所在乡镇（街道）", required=False)
    address = TextField(label="详细地址（选填）", max_length=200, required=False)
    caller_name = TextField(label="诉求人姓名", max_length=50, required=False)
    caller_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    caller_email = forms.CharField(label="电子邮箱（无电话时填写）", max_length=120,
                                   required=False)
    enterprise_uscc = forms.CharField(label="企业统一社会信用代码（企业诉求填写）", max_length=18,
                                      required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, required=False,
                                initial=Urgency.NORMAL)
    confidential = forms.BooleanField(label="保密（举报人信息不告知承办部门）", required=False)

    def __init__(self, *args: Any, desk: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", "不确定"), *category_choices()]
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            ("", "请选择"), *region_choices()]
        if desk:
            self.fields["channel"] = forms.ChoiceField(
                label="来源渠道", required=False, initial=Channel.PHONE,
                choices=[(c.value, c.label) for c in DESK_CHANNELS])
            self.order_fields(DESK_ORDER)
        else:
            del self.fields["caller_name"]
            del self.fields["caller_email"]
            self.fields["publish_consent"] = forms.BooleanField(
                label=CONSENT_LABEL, required=False, initial=False, help_text=CONSENT_HELP)
            self.fields["caller_phone"].label = "联系电话（默认为账号手机号）"
            for number, name in enumerate(ATTACHMENT_SLOTS, 1):
                self.fields[name] = forms.FileField(
                    label=f"附件{number}（选填）", required=False,
                    help_text="现场照片或相关材料，PDF、JPG 或 PNG，单个不超过 10MB",
                    widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
            self.order_fields(PORTAL_ORDER)

    def files_given(self) -> list[tuple[str, bytes]]:
        """The files chosen now or kept from an earlier attempt, each checked (a refused one
        is an error next to its field)."""
        given = []
        for name in ATTACHMENT_SLOTS:
            if name in self.fields:
                found = self.file_given(name, str(self.fields[name].label))
                if found is not None:
                    given.append(found)
        return given


class ListFilterForm(forms.Form):
    """The staff list's filters (GET)."""

    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *Status.choices],
                               required=False)
    kind = forms.ChoiceField(label="诉求类型", choices=[("", "全部"), *OrderKind.choices],
                             required=False)
    department = forms.ChoiceField(label="承办部门", required=False)
    overdue = forms.BooleanField(label="仅看超期", required=False)
    business = forms.BooleanField(label="仅看营商环境诉求", required=False)
    awaiting = forms.BooleanField(label="仅看待公开（已办结、诉求人同意公开）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", "全部"), *department_choices()]


# --- the moves of an order's page -----------------------------------------------------------


class NoteForm(PageForm):
    """A move that needs only a note (签收, 办结, 催办, 督办, 驳回 …)."""

    note = TextField(label="说明（选填）", max_length=2000, required=False,
                     widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(PageForm):
    """A move that needs a reason (退单, 重办, 重启)."""

    reason = TextField(label="理由", max_length=2000, required=False,
                       widget=forms.Textarea(attrs={"rows": 2}))


class DispatchForm(PageForm):
    department = forms.ChoiceField(label="承办部门", required=False)
    note = TextField(label="派单说明（选填）", max_length=2000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", "请选择部门"), *department_choices()]


class DelegateForm(DispatchForm):
    """下派 to a township."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].label = "下派至乡镇（街道）"
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", "请选择乡镇（街道）"), *township_department_choices()]


class ReturnApproveForm(DispatchForm):
    """退单审核通过: the order goes to another department."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].label = "改派给"


class AnswerForm(PageForm):
    reply = TextField(label="答复内容", max_length=4000, required=False,
                      widget=forms.Textarea(attrs={"rows": 4}),
                      help_text="写明办理经过和结果，回访时将告知诉求人。")


class DirectForm(PageForm):
    """直办: a 咨询 answered on the call, closed at once."""

    reply = TextField(label="当场答复内容", max_length=4000, required=False,
                      widget=forms.Textarea(attrs={"rows": 3}))


class ExtendRequestForm(PageForm):
    days = forms.IntegerField(label="申请延期（工作日）", min_value=1, max_value=60,
                              required=False)
    reason = TextField(label="延期理由", max_length=2000, required=False,
                       widget=forms.Textarea(attrs={"rows": 2}))


class ExtendApproveForm(PageForm):
    days = forms.IntegerField(label="批准延期（工作日）", min_value=1, max_value=60,
                              required=False)
    note = TextField(label="说明（选填）", max_length=2000, required=False)


class CallbackForm(PageForm):
    resolved = forms.ChoiceField(label="诉求人认为是否解决",
                                 choices=[("", "请选择"), ("yes", "已解决"), ("no", "未解决")],
                                 required=False)
    satisfaction = forms.ChoiceField(label="满意度",
                                     choices=[("", "请选择"), *Satisfaction.choices],
                                     required=False)
    note = TextField(label="回访记录（选填）", max_length=2000, required=False,
                     widget=forms.Textarea(attrs={"rows": 2}))


class CardForm(PageForm):
    colour = forms.ChoiceField(label="亮牌", choices=[("", "请选择"), ("yellow", "黄牌"),
                                                   ("red", "红牌")], required=False)
    note = TextField(label="说明（选填）", max_length=2000, required=False)


class MergeForm(PageForm):
    into = forms.CharField(label="合并至工单编号", max_length=24, required=False,
                           help_text="同一事项的重复工单合并后一并答复，各诉求人均会被回访。")
    note = TextField(label="说明（选填）", max_length=2000, required=False)


class PublishForm(PageForm):
    """公开答复: the public texts, prefilled from the order with personal data masked
    (publication.draft) and edited by the publisher."""

    public_title = TextField(label="公开标题", max_length=100, required=False)
    public_question = TextField(label="公开诉求（已隐去个人信息，请核对）", max_length=4000,
                                required=False, widget=forms.Textarea(attrs={"rows": 4}))
    public_answer = TextField(label="公开答复（已隐去个人信息，请核对）", max_length=4000,
                              required=False, widget=forms.Textarea(attrs={"rows": 4}))


class PublishedFilterForm(forms.Form):
    """互动交流's filters (GET): kind, department, keyword."""

    kind = forms.ChoiceField(label="类型", choices=[("", "全部"), *OrderKind.choices],
                             required=False)
    department = forms.ChoiceField(label="答复部门", required=False)
    q = forms.CharField(label="关键词", max_length=50, required=False)

    def __init__(self, *args: Any, departments: Sequence[tuple[int, str]] = (),
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", "全部"), *((str(pk), name) for pk, name in departments)]


class EscalateForm(PageForm):
    reason = TextField(label="上报理由", max_length=2000, required=False,
                       widget=forms.Textarea(attrs={"rows": 2}))


RULES_HEADER = ("region_code", "category_code", "department", "priority")


def rules_rows(text: str) -> tuple[list[RuleRow], list[str]]:
    """The rules of a CSV table (a header line optional) for services.routing_version_create,
    and what is wrong with its shape (the service checks what the cells name)."""
    rows, errors, _ = rules_table(text)
    return rows, errors


def rules_table(text: str) -> tuple[list[RuleRow], list[str], list[int]]:
    """rules_rows, with the line of the text each rule is on (blank lines and the header are
    not rules, so the service's "第n行" — the n-th rule — is mapped back to the line the
    admin sees). Errors of shape name the line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    lines = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if lines and tuple(c.strip().lower() for c in lines[0][1][:4]) == RULES_HEADER:
        lines = lines[1:]
    rows: list[RuleRow] = []
    errors: list[str] = []
    numbers: list[int] = []
    for n, line in lines:
        cells = [cell.strip() for cell in line]
        if len(cells) > 4 and any(cells[4:]):
            errors.append(f"第{n}行：多于4列（区划编码前缀,诉求分类编码,承办部门,优先级）。")
            continue
        region, code, department, priority = (cells + [""] * 4)[:4]
        try:
            rank = int(priority or "0")
        except ValueError:
            errors.append(f"第{n}行：优先级“{priority[:10]}”应为整数。")
            continue
        rows.append(RuleRow(region, code, department, rank))
        numbers.append(n)
    return rows, errors, numbers


def rules_csv(rules: Any) -> str:
    """A routing version's rules as the CSV the rules form takes (header first): the new
    version's box starts from the table in force, since a version replaces the whole table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RULES_HEADER)
    for rule in rules:
        writer.writerow([rule.region_code, rule.category.code if rule.category_id else "",
                         rule.department.name, rule.priority])
    return out.getvalue()


class RulesForm(PageForm):
    """A new routing rules version: the whole table as CSV."""

    rows = forms.CharField(
        label="规则表（CSV）", required=False, widget=forms.Textarea(attrs={"rows": 10}),
        help_text="每行一条：区划编码前缀,诉求分类编码,承办部门全称或简称,优先级；"
                  "首行可为表头 region_code,category_code,department,priority。"
                  "区划或分类留空表示不限。新版本取代整个规则表：框内已填入现行规则，在其上修改。")
    upload = forms.FileField(label="或上传 CSV 文件", required=False)
    note = TextField(label="版本说明", max_length=200, required=False)

