"""The catalogue's data: basic items (基本目录), implementations (实施清单) with every guide element,
materials, immutable published versions, drafts under review, themes, synonyms and imports.

Code sets follow GB/T 39046-2020 Appendix A (see zhengwu/catalog/codes.py and
shared standards-notes §1).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.models import BaseModel


class ItemType(models.TextChoices):
    """事项类型 (GB/T 39046-2020 Table A.1)."""

    LICENSING = "01", "行政许可"
    PENALTY = "02", "行政处罚"
    COERCION = "03", "行政强制"
    LEVY = "04", "行政征收"
    PAYMENT = "05", "行政给付"
    INSPECTION = "06", "行政检查"
    CONFIRMATION = "07", "行政确认"
    REWARD = "08", "行政奖励"
    ADJUDICATION = "09", "行政裁决"
    OTHER_POWER = "10", "其他行政权力"
    PUBLIC_SERVICE = "20", "公共服务"


# 依申请六类 (plan measure [4]): the administrative powers a person applies for.
ON_APPLICATION_TYPES = frozenset({"01", "05", "07", "08", "09", "10"})
ADMINISTRATIVE_POWER_TYPES = frozenset({"01", "02", "03", "04", "05", "06", "07", "08", "09", "10"})


class Level(models.IntegerChoices):
    """行使层级 (GB/T 39046-2020 Table A.2)."""

    NATIONAL = 1, "国家级"
    PROVINCE = 2, "省级"
    CITY = 3, "市级"
    COUNTY = 4, "县级"
    TOWNSHIP = 5, "镇(乡、街道)级"
    VILLAGE = 6, "村(社区)级"
    GRADED = 7, "分级管理"


class Audience(models.TextChoices):
    """服务对象 (GB/T 39046-2020 Table A.4)."""

    PERSON = "1", "自然人"
    ENTERPRISE = "2", "企业法人"
    INSTITUTION = "3", "事业法人"
    SOCIAL_ORG = "4", "社会组织法人"
    AUTHORITY = "5", "行政机关"
    OTHER_ORG = "6", "其他组织"


PERSON_AUDIENCES = frozenset({"1"})
ENTERPRISE_AUDIENCES = frozenset({"2", "3", "4", "6"})


class HandlingForm(models.TextChoices):
    """办理形式 (GB/T 39046-2020 Table A.5)."""

    WINDOW = "1", "窗口办理"
    PC = "2", "电脑端网上办理"
    MOBILE = "3", "移动端网上申请"
    POSTAL = "4", "快递申请"
    OTHER = "9", "其他"


class CaseKind(models.TextChoices):
    """办件类型 (GB/T 39046-2020 Table A.6)."""

    IMMEDIATE = "1", "即办件"
    PROMISED = "2", "承诺件"
    OTHER = "9", "其他"


class OnlineDepth(models.IntegerChoices):
    """网上办理深度 as four levels (ADR 0003): Ⅳ 全程网办 means no trip to a hall."""

    CONSULT = 1, "Ⅰ级 网上咨询"
    RECEIVE = 2, "Ⅱ级 网上收件/预审"
    ACCEPT = 3, "Ⅲ级 网上受理"
    FULL = 4, "Ⅳ级 全程网办"


class Channel(models.TextChoices):
    ONLINE = "online", "网上办"
    WINDOW = "window", "窗口办"
    MOBILE = "mobile", "掌上办"
    SELF_SERVICE = "self_service", "自助办"
    POSTAL = "postal", "邮寄办"


class CrossRegionScope(models.TextChoices):
    NONE = "", "不支持通办"
    NATIONAL = "全国", "全国通办"
    PROVINCE = "跨省", "跨省通办"
    CITY = "跨市", "跨市通办"
    COUNTY = "跨县", "跨县通办"


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", "申请人提供"
    E_LICENSE = "e_license", "电子证照调用"
    SHARED_DATA = "shared_data", "共享数据获取"
    COMMITMENT = "commitment", "告知承诺替代"
    NOT_REQUIRED = "not_required", "免提交"


class PublicationStatus(models.TextChoices):
    UNPUBLISHED = "unpublished", "未发布"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已停用"


def default_approval_chain() -> list[str]:
    return ["承办", "审核", "批准"]


class Theme(models.Model):
    """A life or business event (主题) that groups items for people who think in events."""

    name = models.CharField("主题", max_length=50, unique=True)
    audience = models.CharField("对象", max_length=16,
                                choices=[("person", "个人"), ("enterprise", "法人")])
    kind = models.CharField("类别", max_length=16,
                            choices=[("life_event", "人生事件"), ("business_event", "经营事件")])

    class Meta:
        verbose_name = "主题"
        verbose_name_plural = "主题"
        ordering = ["audience", "id"]

    def __str__(self) -> str:
        return self.name


class ServiceItem(BaseModel):
    """基本目录事项: the same name, code, type and basis at every level (四级四同)."""

    basic_code = models.CharField("基本编码", max_length=12, unique=True)
    name = models.CharField("事项名称", max_length=200, unique=True)
    item_type = models.CharField("事项类型", max_length=2, choices=ItemType.choices)
    audience = models.JSONField("服务对象", default=list)
    themes = models.ManyToManyField(Theme, verbose_name="主题", blank=True, related_name="items")
    legal_basis = models.TextField("设定依据", blank=True)
    legal_limit_workdays = models.DecimalField("法定办结时限(工作日)", max_digits=5,
                                               decimal_places=1, null=True, blank=True)
    legal_limit_note = models.CharField("法定时限说明", max_length=200, blank=True)
    conditions = models.TextField("受理条件", blank=True)
    result_name = models.CharField("结果名称", max_length=200, blank=True)
    result_type = models.CharField("结果类型", max_length=20, blank=True)
    is_intermediary = models.BooleanField("中介服务事项", default=False)
    keywords = models.CharField("检索关键词", max_length=300, blank=True)
    # Limits a reform plan sets for the item, e.g. utility hook-ups (耒阳市 2021 方案措施[17]):
    # at most so many approval steps and required applicant materials. Empty = no limit.
    plan_steps_limit = models.PositiveSmallIntegerField("规定环节上限", null=True, blank=True)
    plan_materials_limit = models.PositiveSmallIntegerField("规定材料上限", null=True,
                                                            blank=True)
    # The item's own application form (catalog.application_form.FormDefinition.snapshot()),
    # from the data pack's forms/*.json; an implementation may override it in its guide.
    form = models.JSONField("申请表", null=True, blank=True)
    source = models.TextField("来源", blank=True)
    illustrative = models.BooleanField("示例数据", default=False)

    class Meta:
        verbose_name = "基本目录事项"
        verbose_name_plural = "基本目录事项"
        ordering = ["basic_code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(item_type__in=ItemType.values),
                                   name="item_type_valid"),
            # A limit of 0 would mean an item that cannot be applied for: empty means none.
            models.CheckConstraint(condition=models.Q(plan_steps_limit__gte=1),
                                   name="item_plan_steps_limit_positive"),
            models.CheckConstraint(condition=models.Q(plan_materials_limit__gte=1),
                                   name="item_plan_materials_limit_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ItemImplementation(BaseModel):
    """实施清单事项: one basic item as implemented by one department in one region.

    The row holds the current published guide; every published change also leaves an
    immutable ImplementationVersion, and edits wait in an ImplementationDraft until the
    catalogue administrator approves them.
    """

    item = models.ForeignKey(ServiceItem, verbose_name="基本目录事项", on_delete=models.PROTECT,
                             related_name="implementations")
    code = models.CharField("实施编码", max_length=31, unique=True)
    department = models.ForeignKey("departments.Department", verbose_name="实施主体",
                                   on_delete=models.PROTECT, related_name="implementations")
    region = models.ForeignKey("regions.Region", verbose_name="行政区划",
                               on_delete=models.PROTECT, related_name="implementations")
    level = models.PositiveSmallIntegerField("行使层级", choices=Level.choices)
    status = models.CharField("状态", max_length=16, choices=PublicationStatus.choices,
                              default=PublicationStatus.UNPUBLISHED)
    version = models.PositiveIntegerField("当前版本", default=0)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    # Time limits, in working days (0 = on the spot; 0.5 = half a working day).
    legal_limit_workdays = models.DecimalField("法定办结时限(工作日)", max_digits=5,
                                               decimal_places=1, null=True, blank=True)
    promised_limit_workdays = models.DecimalField("承诺办结时限(工作日)", max_digits=5,
                                                  decimal_places=1)
    limit_note = models.CharField("时限说明", max_length=200, blank=True)
    case_kind = models.CharField("办件类型", max_length=1, choices=CaseKind.choices,
                                 default=CaseKind.PROMISED)
    handling_forms = models.JSONField("办理形式", default=list)
    channels = models.JSONField("办理渠道", default=list)
    online_depth = models.PositiveSmallIntegerField("网上办理深度", choices=OnlineDepth.choices)
    trips = models.PositiveSmallIntegerField("到办事现场次数", default=1)
    conditions = models.TextField("受理条件", blank=True)
    process = models.TextField("办理流程", blank=True)
    fees = models.JSONField("收费标准及依据", default=list)
    commitment_allowed = models.BooleanField("实行告知承诺", default=False)
    commitment_batch = models.CharField("告知承诺批次", max_length=100, blank=True)
    commitment_published_on = models.DateField("告知承诺公布日期", null=True, blank=True)
    deemed_approval = models.BooleanField("纳入超时默认", default=False)
    deemed_batch = models.CharField("超时默认批次", max_length=100, blank=True)
    deemed_published_on = models.DateField("超时默认公布日期", null=True, blank=True)
    cross_region_scope = models.CharField("通办范围", max_length=4, blank=True,
                                          choices=CrossRegionScope.choices)
    appointment = models.BooleanField("支持预约", default=False)
    place = models.CharField("办理地点", max_length=300, blank=True)
    hours = models.CharField("办理时间", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=100, blank=True)
    supervision_phone = models.CharField("监督电话", max_length=100, blank=True)
    faq = models.JSONField("常见问题", default=list)
    delegated = models.BooleanField("放权赋权事项", default=False)
    delegated_from = models.ForeignKey("departments.Department", verbose_name="赋权部门",
                                       null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="delegated_implementations")
    delegation_batch = models.CharField("赋权批次", max_length=100, blank=True)
    delegated_on = models.DateField("赋权日期", null=True, blank=True)
    baseline_material_count = models.PositiveSmallIntegerField("基准材料数", null=True,
                                                               blank=True)
    # 审批环节 (legacy 电子监察 codes 1 承办, 2 审核, 3 批准; standards-notes §2).
    approval_chain = models.JSONField("审批环节", default=default_approval_chain)
    commitment_text = models.TextField("告知承诺书内容", blank=True)
    verification_workdays = models.PositiveSmallIntegerField("事后核查期限(工作日)", default=20)
    # This implementation's own application form, overriding its item's (GuideData.form);
    # empty = the item's form.
    form = models.JSONField("本实施清单的申请表", null=True, blank=True)
    # The electronic licence a grant of this item issues (issue 11; cases.licensing): signed
    # in the same transaction as the decision. None: the result is a notice only.
    licence_type = models.ForeignKey("licences.LicenceType", verbose_name="颁发的电子证照",
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="implementations")
    source = models.TextField("来源", blank=True)
    illustrative = models.BooleanField("示例数据", default=False)

    class Meta:
        verbose_name = "实施清单事项"
        verbose_name_plural = "实施清单事项"
        ordering = ["code"]
        permissions = [
            ("edit_catalog", "编辑事项草稿"),
            ("publish_catalog", "审核发布事项"),
            ("import_catalog", "导入事项目录"),
            ("view_quality", "查看事项要素质检"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["item", "department", "region"],
                                    name="implementation_unique_per_department_region"),
            models.CheckConstraint(condition=models.Q(online_depth__gte=1, online_depth__lte=4),
                                   name="implementation_depth_range"),
            models.CheckConstraint(condition=models.Q(promised_limit_workdays__gte=0),
                                   name="implementation_promised_nonnegative"),
        ]
        indexes = [
            models.Index(fields=["status", "region"]),
            models.Index(fields=["department", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.item.name}（{self.department.name}）"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("catalog:guide", kwargs={"code": self.code})

    @property
    def guide_url(self) -> str:
        return self.get_absolute_url()

    @property
    def channel_labels(self) -> list[str]:
        labels = dict(Channel.choices)
        return [str(labels.get(c, c)) for c in self.channels]


class Material(models.Model):
    """申请材料 of an implementation's current published guide."""

    implementation = models.ForeignKey(ItemImplementation, verbose_name="实施清单", on_delete=models.CASCADE,
                                       related_name="materials")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("材料名称", max_length=200)
    form = models.CharField("材料形式", max_length=20, blank=True)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    source = models.CharField("来源", max_length=16, choices=MaterialSource.choices,
                              default=MaterialSource.APPLICANT)
    required = models.BooleanField("必要", default=True)
    issuer = models.CharField("出具单位", max_length=200, blank=True)
    government_issued = models.BooleanField("政府部门核发", default=False)
    note = models.CharField("说明", max_length=300, blank=True)
    # What may stand in for the material (issue 11 item 6, the Once-Only pattern): a licence
    # of this type held by the applicant, or this shared data item about them — codes, since
    # a guide is published as data and a type or item may be loaded after it.
    licence_type_code = models.CharField("可替代的电子证照类型", max_length=21, blank=True)
    shared_item_code = models.CharField("可替代的共享数据项", max_length=40, blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["implementation_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["implementation", "position"],
                                    name="material_position_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class FormCodeSet(models.Model):
    """A code set that choice fields of application forms name (the pack's
    form_code_sets.json): 民族, 文化程度, 食品经营主体业态 …"""

    name = models.CharField("名称", max_length=60, unique=True)
    title = models.CharField("标题", max_length=100)
    source = models.CharField("依据", max_length=300, blank=True)
    options = models.JSONField("选项", default=list)  # [{"value", "label"}]

    class Meta:
        verbose_name = "申请表代码集"
        verbose_name_plural = "申请表代码集"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title


class ImplementationVersion(models.Model):
    """An immutable published version of a guide; cases pin one (item_version)."""

    implementation = models.ForeignKey(ItemImplementation, verbose_name="实施清单", on_delete=models.PROTECT,
                                       related_name="versions")
    number = models.PositiveIntegerField("版本号")
    snapshot = models.JSONField("内容")
    published_at = models.DateTimeField("发布时间")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["implementation_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["implementation", "number"],
                                    name="version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.implementation_id} v{self.number}"


class DraftState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    PUBLISHED = "published", "已发布"
    REJECTED = "rejected", "已退回"


class ImplementationDraft(BaseModel):
    """A proposed change to a guide: draft → submitted → published (or rejected)."""

    implementation = models.ForeignKey(ItemImplementation, verbose_name="实施清单", on_delete=models.CASCADE,
                                       related_name="drafts")
    payload = models.JSONField("内容")
    state = models.CharField("状态", max_length=16, choices=DraftState.choices,
                             default=DraftState.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="起草人", on_delete=models.PROTECT,
                               related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    review_note = models.TextField("审核意见", blank=True)
    published_version = models.PositiveIntegerField("发布为版本", null=True, blank=True)

    class Meta:
        verbose_name = "事项草稿"
        verbose_name_plural = "事项草稿"
        constraints = [
            models.UniqueConstraint(
                fields=["implementation"],
                condition=models.Q(state__in=["draft", "submitted"]),
                name="one_open_draft_per_implementation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.implementation_id} {self.get_state_display()}"


class Synonym(models.Model):
    """What people type → the catalogue's words (开饭店 → 食品经营许可). Admin-editable."""

    term = models.CharField("口语说法", max_length=50, unique=True)
    targets = models.CharField("对应事项用词(;分隔)", max_length=300)

    class Meta:
        verbose_name = "同义词"
        verbose_name_plural = "同义词"
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} → {self.targets}"

    @property
    def target_list(self) -> list[str]:
        return [t.strip() for t in self.targets.split(";") if t.strip()]


class SearchTermDay(models.Model):
    """How often a query was searched on the portal on one day, how often it found nothing and
    how often a result was then opened (catalog.search_log). The query text and three counts,
    nothing else: no account, address, session or time of day, and a query that looks like
    personal data (an ID or phone number, an e-mail address) is never kept."""

    day = models.DateField("日期")
    term = models.CharField("搜索词", max_length=50)
    searches = models.PositiveIntegerField("搜索次数", default=0)
    empty = models.PositiveIntegerField("无结果次数", default=0)
    clicks = models.PositiveIntegerField("点击结果次数", default=0)

    class Meta:
        verbose_name = "搜索词统计"
        verbose_name_plural = "搜索词统计"
        constraints = [models.UniqueConstraint(fields=["day", "term"], name="search_term_day")]
        indexes = [models.Index(fields=["term"])]

    def __str__(self) -> str:
        return f"{self.day} {self.term}"


class CatalogGeneration(models.Model):
    """One row; its counter moves whenever published catalogue data or synonyms change, so
    that every process rebuilds its in-memory search index (catalog/search.py).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    counter = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "事项库版本计数"
        verbose_name_plural = "事项库版本计数"

    def __str__(self) -> str:
        return str(self.counter)


class ImportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "导入中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "未导入(有错误)"


class CatalogImport(BaseModel):
    """An uploaded catalogue file and its all-or-nothing import, with progress."""

    file_name = models.CharField("文件名", max_length=200)
    content = models.BinaryField("文件内容")
    status = models.CharField("状态", max_length=16, choices=ImportStatus.choices,
                              default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    errors = models.JSONField("错误", default=list)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "事项导入"
        verbose_name_plural = "事项导入"

    def __str__(self) -> str:
        return f"{self.file_name} {self.get_status_display()}"
