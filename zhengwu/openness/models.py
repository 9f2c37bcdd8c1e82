"""依申请公开: the request (中华人民共和国政府信息公开条例 arts. 27–45), its third-party
consultations, the answer's attachments, its timeline on the process engine and the staff
reads of the requester's personal data.

The request keeps every date the limits of `limits` read (submitted, signed for, confirmed,
the 补正 asked and received, the extension) and the due date computed from them; the dates the
guards need (the 补正 notice's last day, a consultation under way) are kept on the row, since
a guard reads no other table. It moves only through openness.services (engine.transition).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.models import AccessRecord, StoredFile
from zhengwu.process.models import ProcessEvent, ProcessNotice


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", "待确认收到"
    PROCESSING = "processing", "办理中"
    SUPPLEMENT = "supplement", "待补正"
    ANSWERED = "answered", "已答复"
    LAPSED = "lapsed", "视为放弃申请"


class Channel(models.TextChoices):
    """How the application arrived (art. 29, 31); the keys are `limits.CHANNELS`."""

    ONLINE = "online", "网上申请"
    IN_PERSON = "in_person", "当面提交"
    REGISTERED_POST = "registered_post", "邮寄（挂号信、EMS）"
    POST = "post", "邮寄（平信）"
    FAX = "fax", "传真"


class RequesterKind(models.TextChoices):
    CITIZEN = "citizen", "公民"
    ORGANISATION = "organisation", "法人或其他组织"


class Delivery(models.TextChoices):
    """The form in which the requester asks to get the information (art. 29 (三), 40)."""

    ELECTRONIC = "electronic", "电子数据"
    PAPER = "paper", "纸质文本"
    ANY = "any", "均可"


class AnswerType(models.TextChoices):
    """The answers of arts. 36–39 of the 条例."""

    ALREADY_PUBLIC = "already_public", "已主动公开（告知获取途径）"  # art. 36 (一)
    DISCLOSED = "disclosed", "予以公开"  # art. 36 (二)
    PARTIAL = "partial", "部分公开"  # art. 37
    WITHHELD = "withheld", "不予公开"  # art. 36 (三), with arts. 14–16
    NOT_EXIST = "not_exist", "经检索无此信息"  # art. 36 (四)
    NOT_OURS = "not_ours", "非本机关负责公开"  # art. 36 (五)
    REPEATED = "repeated", "重复申请，不予重复处理"  # art. 36 (六)
    SPECIAL_LAW = "special_law", "依照有关法律、行政法规的规定办理"  # art. 36 (七)
    NEEDS_PROCESSING = "needs_processing", "需加工分析，不予提供"  # art. 38
    NOT_GOVERNMENT_INFO = "not_government_info", "不属于政府信息公开范围"  # arts. 2, 39


# The answers that must state the reason and the legal basis (art. 36 (三), 37, 38, 39).
ANSWERS_WITH_BASIS = frozenset({AnswerType.PARTIAL, AnswerType.WITHHELD,
                                AnswerType.SPECIAL_LAW, AnswerType.NEEDS_PROCESSING,
                                AnswerType.NOT_GOVERNMENT_INFO})


class OpennessRequest(models.Model):
    number = models.CharField("申请编号", max_length=24, unique=True)
    status = models.CharField("状态", max_length=12, choices=RequestStatus.choices)
    channel = models.CharField("提交方式", max_length=16, choices=Channel.choices)
    department = models.ForeignKey("departments.Department", verbose_name="受理机关",
                                   on_delete=models.PROTECT, related_name="+")
    # The requester: their account when applying online, else as recorded by staff.
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人账号", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    requester_kind = models.CharField("申请人类型", max_length=12,
                                      choices=RequesterKind.choices)
    name = models.CharField("申请人姓名或名称", max_length=100)
    id_number = models.CharField("身份证明号码", max_length=30, blank=True)
    phone = models.CharField("联系电话", max_length=20)
    address = models.CharField("通信地址", max_length=200, blank=True)
    # What is asked (art. 29 (二)) and how it is to be provided (art. 29 (三)).
    information = models.TextField("所需信息的名称、文号或特征描述")
    purpose = models.TextField("用途（选填）", blank=True)
    delivery = models.CharField("获取信息的方式", max_length=12, choices=Delivery.choices,
                                default=Delivery.ELECTRONIC)
    # The dates of art. 31 (limits.Receipt) and what follows from them.
    submitted_at = models.DateTimeField("提交时间")
    submitted_on = models.DateField("提交日期")
    signed_for_on = models.DateField("签收日期", null=True, blank=True)
    confirmed_on = models.DateField("确认收到日期", null=True, blank=True)
    received_on = models.DateField("收到申请之日", null=True, blank=True)
    supplement_notice_due_on = models.DateField("补正告知期限", null=True, blank=True)
    supplement_asked_on = models.DateField("补正告知日期", null=True, blank=True)
    supplement_items = models.TextField("补正内容", blank=True)
    supplement_by = models.DateField("补正期限", null=True, blank=True)
    supplement_received_on = models.DateField("收到补正之日", null=True, blank=True)
    supplement_text = models.TextField("补正说明", blank=True)
    extension_workdays = models.PositiveSmallIntegerField("延长工作日", default=0)
    extension_approved_by = models.CharField("延期批准人", max_length=50, blank=True)
    extension_reason = models.TextField("延期理由", blank=True)
    # A consultation under way: its third party's last day (guards read it here).
    consulting_until = models.DateField("第三方答复期限", null=True, blank=True)
    due_on = models.DateField("答复期限", null=True, blank=True)
    due_provisional = models.BooleanField("临时期限", default=False)
    # The answer.
    answer_type = models.CharField("答复类型", max_length=24, choices=AnswerType.choices,
                                   blank=True)
    answer_text = models.TextField("答复内容", blank=True)
    answer_reason = models.TextField("理由", blank=True)
    legal_basis = models.TextField("法律依据", blank=True)
    right_agency = models.CharField("负责公开的机关及联系方式", max_length=200, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_on_time = models.BooleanField("按期答复", null=True, blank=True)
    overdue_told_at = models.DateTimeField("逾期提醒时间", null=True, blank=True)
    # The due date the officers were warned of, before it (services.due_soon_tell): warned
    # again only if the due date moves.
    due_warned_for = models.DateField("已预警的答复期限", null=True, blank=True)

    class Meta:
        verbose_name = "政府信息公开申请"
        verbose_name_plural = "政府信息公开申请"
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=RequestStatus.values),
                                   name="openness_request_status"),
            models.CheckConstraint(condition=models.Q(extension_workdays__lte=20),
                                   name="openness_extension_at_most_20"),
            # 不予公开 and its kin name their legal basis, in the database too.
            models.CheckConstraint(
                condition=~models.Q(answer_type__in=sorted(ANSWERS_WITH_BASIS))
                | ~models.Q(legal_basis=""), name="openness_answer_has_basis"),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"政府信息公开申请 {self.number}"


class Consultation(models.Model):
    """A third party asked in writing for its opinion (art. 32): it has 15 working days from
    receiving the letter, and that time is not counted in the agency's limit (art. 33)."""

    request = models.ForeignKey(OpennessRequest, on_delete=models.CASCADE,
                                related_name="consultations")
    third_party = models.CharField("第三方", max_length=100)
    received_on = models.DateField("第三方收到征求意见书之日")
    answered_on = models.DateField("第三方答复日期", null=True, blank=True)
    agrees = models.BooleanField("同意公开", null=True, blank=True)
    opinion = models.TextField("第三方意见", blank=True)

    class Meta:
        verbose_name = "第三方意见征询"
        verbose_name_plural = "第三方意见征询"
        ordering = ["request_id", "id"]

    def __str__(self) -> str:
        return f"{self.request.number} · {self.third_party}"


class AnswerAttachment(StoredFile):
    """A file given with the answer (the information itself, the answer letter's scan), checked
    by core.upload_check, kept as every uploaded file is (core.models.StoredFile) and served
    only as an attachment."""

    UPLOAD_DIR = "openness"

    request = models.ForeignKey(OpennessRequest, on_delete=models.CASCADE,
                                related_name="attachments")

    class Meta:
        verbose_name = "答复附件"
        verbose_name_plural = "答复附件"
        ordering = ["request_id", "id"]


class RequestEvent(ProcessEvent):
    # Not `request`: ProcessEvent.request_id is the HTTP request's id.
    application = models.ForeignKey(OpennessRequest, on_delete=models.CASCADE,
                                related_name="events")

    class Meta(ProcessEvent.Meta):
        verbose_name = "公开申请事件"
        verbose_name_plural = "公开申请事件"
        ordering = ["application_id", "id"]
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="openness_event_unsealed")]


class RequestRead(AccessRecord):
    """A member of staff opened the request with the requester's name, ID number and phone:
    logged as a read of personal data (quality.md #8)."""

    application = models.ForeignKey(OpennessRequest, on_delete=models.CASCADE,
                                    related_name="reads")

    class Meta(AccessRecord.Meta):
        verbose_name = "公开申请查阅记录"
        verbose_name_plural = "公开申请查阅记录"
        indexes = [models.Index(fields=["audit_seal"], condition=models.Q(audit_seal=None),
                                name="openness_read_unsealed")]


class ColumnCategory(models.TextChoices):
    """The 信息公开专栏's categories (issue 14 §2, measure 29)."""

    ORGANISATION = "organisation", "机构职能"
    ITEMS = "items", "事项清单"
    FEES = "fees", "收费项目及标准"
    GUIDES = "guides", "办事指南"
    FIGURES = "figures", "好差评和12345数据"
    POLICIES = "policies", "政策文件"


class ColumnEntry(models.Model):
    """An entry of the 主动公开 column: dated, owned by a department, its text or a link to the
    platform's own page (the catalogue's list or guide) rather than a copy of it."""

    category = models.CharField("栏目", max_length=16, choices=ColumnCategory.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接（本平台页面或政府网站）", max_length=500, blank=True)
    department = models.ForeignKey("departments.Department", verbose_name="发布部门",
                                   on_delete=models.PROTECT, related_name="+")
    published_on = models.DateField("发布日期")
    withdrawn_at = models.DateTimeField("撤下时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = "主动公开条目"
        verbose_name_plural = "主动公开条目"
        ordering = ["category", "-published_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(category__in=ColumnCategory.values),
                                   name="openness_column_category"),
            # An entry says something: its text or where to read it.
            models.CheckConstraint(condition=~models.Q(body="") | ~models.Q(link=""),
                                   name="openness_column_has_content"),
        ]

    def __str__(self) -> str:
        return self.title


# --- 政务新媒体 (measure 31) ----------------------------------------------------------------


class Platform(models.TextChoices):
    WECHAT = "wechat", "微信公众号"
    WEIBO = "weibo", "微博"
    DOUYIN = "douyin", "抖音"
    TOUTIAO = "toutiao", "今日头条"
    APP = "app", "政务APP"
    OTHER = "other", "其他"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "运营中"
    SUSPENDED = "suspended", "暂停更新"
    CLOSED = "closed", "已关停"


class NewMediaAccount(models.Model):
    """A 政务新媒体 account on the county's register (国办发〔2018〕123号: 开设、变更、注销备案),
    owned by a department, with the person responsible for it and how often it is inspected.

    The responsible person's phone is their office number, published as any office's number
    is (docs/openness.md); no mobile or personal number is kept."""

    platform = models.CharField("平台", max_length=12, choices=Platform.choices)
    name = models.CharField("账号名称", max_length=100)
    handle = models.CharField("账号ID或网址", max_length=200, blank=True)
    department = models.ForeignKey("departments.Department", verbose_name="主办单位",
                                   on_delete=models.PROTECT, related_name="+")
    responsible = models.CharField("责任人", max_length=50)
    office_phone = models.CharField("办公电话", max_length=20)
    status = models.CharField("状态", max_length=12, choices=AccountStatus.choices,
                              default=AccountStatus.ACTIVE)
    status_reason = models.CharField("状态说明", max_length=200, blank=True)
    closed_on = models.DateField("关停日期", null=True, blank=True)
    registered_on = models.DateField("备案日期")
    inspection_interval_days = models.PositiveSmallIntegerField("检查周期（天）", default=30)
    illustrative = models.BooleanField("示例数据", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # The last inspection's findings, kept on the row for the public list and the sweep.
    last_inspected_on = models.DateField("最近检查日期", null=True, blank=True)
    last_update_seen = models.DateField("最近更新日期", null=True, blank=True)
    broken_links = models.PositiveSmallIntegerField("错链断链数", default=0)
    overdue_told_on = models.DateField("逾期未检查提醒日期", null=True, blank=True)

    class Meta:
        verbose_name = "政务新媒体账号"
        verbose_name_plural = "政务新媒体账号"
        ordering = ["department_id", "platform", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(platform__in=Platform.values),
                                   name="openness_media_platform"),
            models.CheckConstraint(condition=models.Q(status__in=AccountStatus.values),
                                   name="openness_media_status"),
            # Closed means a closure date; only closed has one.
            models.CheckConstraint(
                condition=models.Q(status=AccountStatus.CLOSED, closed_on__isnull=False)
                | (~models.Q(status=AccountStatus.CLOSED) & models.Q(closed_on__isnull=True)),
                name="openness_media_closed_on"),
            models.CheckConstraint(condition=models.Q(inspection_interval_days__gte=1,
                                                      inspection_interval_days__lte=92),
                                   name="openness_media_interval"),
            models.UniqueConstraint(fields=["platform", "name"],
                                    name="openness_media_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.name}"


class NewMediaInspection(models.Model):
    """One inspection of an account by its department's staff: when, the last post seen, the
    broken links found."""

    account = models.ForeignKey(NewMediaAccount, on_delete=models.CASCADE,
                                related_name="inspections")
    inspected_on = models.DateField("检查日期")
    last_update_seen = models.DateField("最近一次更新日期")
    broken_links = models.PositiveSmallIntegerField("错链断链数", default=0)
    broken_links_text = models.TextField("错链断链情况", blank=True)
    notes = models.TextField("检查记录", blank=True)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="检查人", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = "政务新媒体检查"
        verbose_name_plural = "政务新媒体检查"
        ordering = ["account_id", "-inspected_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(last_update_seen__lte=models.F(
                "inspected_on")), name="openness_inspection_update_not_after"),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.inspected_on}"


# --- the answer as a numbered notice (政府信息公开申请答复告知书) ----------------------------


class RequestNoticeKind(models.TextChoices):
    ANSWER = "answer", "政府信息公开申请答复告知书"


# The kind's character in the 文号: 耒政公开告〔2026〕3号 (core.numbering.document_number).
REQUEST_NOTICE_MARK = {RequestNoticeKind.ANSWER: "公开告"}


class RequestNotice(ProcessNotice):
    """The answer to a request as a numbered, signed notice of the agency (one per request),
    numbered per agency prefix and year when the answer is given (core.numbering)."""

    application = models.ForeignKey(OpennessRequest, on_delete=models.CASCADE,
                                    related_name="notices")
    kind = models.CharField("文书种类", max_length=16, choices=RequestNoticeKind.choices)

    class Meta:
        verbose_name = "政府信息公开文书"
        verbose_name_plural = "政府信息公开文书"
        ordering = ["application_id", "issued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "kind"],
                                               name="openness_notice_one_per_kind")]

    def __str__(self) -> str:
        return self.number
