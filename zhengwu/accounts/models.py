"""Users (staff and applicants), their scoped roles, recovery codes, the throttle counters, and
the identities at an outside identity platform that sign them in (single sign-on)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from zhengwu.accounts.roles import Role


class UserKind(models.TextChoices):
    STAFF = "staff", "工作人员"
    PERSON = "person", "自然人"
    ENTERPRISE = "enterprise", "法人"


class RealNameLevel(models.IntegerChoices):
    """实名等级: what the platform knows about who holds the account. What each level may do is
    configuration (accounts.levels), never written into a view."""

    NONE = 0, "未实名"
    MOBILE = 1, "L1 手机号已验证"
    IDENTITY = 2, "L2 身份已核验"


class IdentityMethod(models.TextChoices):
    """How an account's identity (L2) was verified."""

    PROVIDER = "provider", "身份认证服务核验"
    WINDOW = "window", "窗口当面核验"
    SSO = "sso", "统一身份认证登录"
    PACK = "pack", "数据包预置（示例）"
    # An enterprise registered on the platform (设立登记): the registration authority itself
    # established who it is when it assigned its 统一社会信用代码 (cases.registration).
    REGISTRATION = "registration", "登记机关设立登记赋码"


class IdentityBasis(models.TextChoices):
    """On what an application's identity rests (accounts.mandates.filing_basis)."""

    SELF = "self", "本人账号（已实名）"
    AUTHORIZATION = "authorization", "经授权代为申请"
    IN_PERSON = "in_person", "窗口当面核验证件"
    # The enterprise's verified legal representative files in its name (accounts.mandates).
    LEGAL_REPRESENTATIVE = "legal_rep", "法定代表人代表企业申请"


class User(AbstractUser):
    """Staff sign in with a username; applicants with their mobile number (for now — a real
    identity provider comes later). Passwords are hashed with argon2.
    """

    kind = models.CharField("用户类型", max_length=16, choices=UserKind.choices,
                            default=UserKind.PERSON)
    display_name = models.CharField("姓名/名称", max_length=150, blank=True)
    phone = models.CharField("手机号", max_length=20, null=True, blank=True, unique=True)
    citizen_id = models.CharField("身份证号", max_length=18, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    # An enterprise's 法定代表人 (GB 32100 USCC above): who may grant and revoke its agents'
    # authorizations when signed in as themselves (accounts.mandates).
    legal_representative_name = models.CharField("法定代表人姓名", max_length=150, blank=True)
    legal_representative_id = models.CharField("法定代表人身份证号", max_length=18, blank=True)
    realname_level = models.PositiveSmallIntegerField("实名等级", choices=RealNameLevel.choices,
                                                      default=RealNameLevel.NONE)
    identity_verified_at = models.DateTimeField("身份核验时间", null=True, blank=True)
    identity_method = models.CharField("身份核验方式", max_length=16, blank=True,
                                       choices=IdentityMethod.choices)
    # Who verified the identity in person (window staff), or None (a provider, the pack).
    identity_verified_by = models.ForeignKey("self", verbose_name="身份核验人", null=True,
                                             blank=True, on_delete=models.SET_NULL,
                                             related_name="+")
    totp_secret = models.CharField("TOTP 密钥", max_length=64, blank=True)
    totp_enabled = models.BooleanField("已启用双因素认证", default=False)
    # The 30-second time step of the last TOTP code accepted: a code is good once (RFC 6238
    # §5.2), so one seen over a shoulder or replayed from a proxy log opens nothing.
    totp_last_step = models.PositiveBigIntegerField("上次使用的 TOTP 时间步", null=True,
                                                    blank=True, editable=False)
    # 注销: the account can no longer sign in; what the law keeps stays (accounts.closing).
    closed_at = models.DateTimeField("注销时间", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        # One identity, one account (ADR 0014): held by the database too, so two verifications
        # of one number in the same instant cannot both pass accounts.services.identity_bind.
        # A closed account has its number removed (""), so the person may register again.
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_id"], name="user_one_person_account_per_citizen_id",
                condition=models.Q(kind="person") & ~models.Q(citizen_id="")),
            models.UniqueConstraint(
                fields=["uscc"], name="user_one_enterprise_account_per_uscc",
                condition=models.Q(kind="enterprise") & ~models.Q(uscc="")),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_staff_user(self) -> bool:
        return self.kind == UserKind.STAFF


class RoleAssignment(models.Model):
    """A role held by a user, scoped to a department and/or a region (None = unscoped)."""

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE,
                             related_name="role_assignments")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    department = models.ForeignKey("departments.Department", verbose_name="部门", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name="区划", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "department", "region"],
                                    name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class RecoveryCode(models.Model):
    """A single-use code that stands in for a TOTP code (lost phone). Only its hash is kept;
    the code itself is shown once, when the set is made (accounts.services.recovery_codes_new).
    """

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE,
                             related_name="recovery_codes")
    code_hash = models.CharField("哈希", max_length=128)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"

    def __str__(self) -> str:
        return f"{self.user} · 恢复码 {'已用' if self.used_at else '未用'}"


class Throttle(models.Model):
    """One counter of accounts.throttle: attempts of one rule by one subject (an address, an
    account, a pair). The key is a keyed hash, so no address or user name is stored here."""

    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_ends = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "限流计数"
        verbose_name_plural = "限流计数"

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.count}"


class ExternalIdentity(models.Model):
    """An account at an OpenID Provider (the provincial 统一身份认证) that signs in to `user`:
    the provider's issuer URL and its subject identifier, which never changes for that person
    (OpenID Connect Core §2). Made once, by verified ID number or by the signed-in staff
    member (accounts.services.sso_sign_in, sso_link); later sign-ins look up only this pair."""

    issuer = models.CharField("身份提供方", max_length=255)
    subject = models.CharField("身份提供方用户标识", max_length=255)
    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE,
                             related_name="external_identities")
    linked_at = models.DateTimeField("关联时间")

    class Meta:
        verbose_name = "统一身份认证关联"
        verbose_name_plural = "统一身份认证关联"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"],
                                    name="external_identity_unique"),
            # One identity per provider and account: a second one would be someone else's.
            models.UniqueConstraint(fields=["issuer", "user"],
                                    name="external_identity_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.issuer}"


class AuthorizationKind(models.TextChoices):
    ENTERPRISE_AGENT = "enterprise_agent", "企业经办人授权"
    PERSONAL_MANDATE = "personal_mandate", "个人委托代办"


class Confirmation(models.TextChoices):
    """How the principal's will is shown: confirmed on the principal's own page, or a signed
    授权委托书 the window checks at acceptance."""

    ONLINE = "online", "委托人网上确认"
    LETTER = "letter", "书面授权委托书"


class Authorization(models.Model):
    """授权: `agent` may file for `principal` (an enterprise's 经办人, or a person's 委托代办)
    for every item (`scope_all`) or the basic items listed, from `starts_on` to `ends_on`
    inclusive, until revoked. Rules in accounts.mandates; a case filed through one records it
    (cases.Case.authorization)."""

    principal = models.ForeignKey(User, verbose_name="授权人（委托人）", on_delete=models.PROTECT,
                                  related_name="authorizations_given")
    agent = models.ForeignKey(User, verbose_name="经办人（受托人）", on_delete=models.PROTECT,
                              related_name="authorizations_received")
    kind = models.CharField("授权类型", max_length=20, choices=AuthorizationKind.choices)
    scope_all = models.BooleanField("全部事项", default=False)
    item_codes = models.JSONField("授权事项（基本编码）", default=list, blank=True)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    confirmation = models.CharField("确认方式", max_length=12, choices=Confirmation.choices,
                                    default=Confirmation.ONLINE)
    # Online: when the principal (or the enterprise's legal representative) confirmed; a grant
    # made by the principal is confirmed at once, an agent's request waits for it.
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(User, verbose_name="确认人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    letter = models.FileField("授权委托书", upload_to="authorizations/%Y/%m/", blank=True)
    letter_reference = models.CharField("委托书编号/说明", max_length=200, blank=True)
    letter_checked_at = models.DateTimeField("委托书核验时间", null=True, blank=True)
    letter_checked_by = models.ForeignKey(User, verbose_name="委托书核验人", null=True,
                                          blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(User, verbose_name="撤销人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, verbose_name="创建人", on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "授权"
        verbose_name_plural = "授权"
        constraints = [
            models.CheckConstraint(condition=~models.Q(principal=models.F("agent")),
                                   name="authorization_not_self"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="authorization_dates_ordered"),
        ]
        indexes = [models.Index(fields=["agent", "principal"])]

    def __str__(self) -> str:
        return f"{self.principal} → {self.agent}（{self.get_kind_display()}）"

    @property
    def letter_pending(self) -> bool:
        """A 委托书 not yet checked by the window: cases filed through it wait for the check."""
        return self.confirmation == Confirmation.LETTER and self.letter_checked_at is None


class CodePurpose(models.TextChoices):
    """What an SMS verification code may be used for; a code is good for its purpose only."""

    SIGNUP = "signup", "注册"
    RESET = "reset", "找回密码"
    OLD_PHONE = "old_phone", "更换手机号（原号码）"
    NEW_PHONE = "new_phone", "更换手机号（新号码）"
    CLOSE = "close", "注销账号"


class PhoneCode(models.Model):
    """One SMS verification code sent to a phone (accounts.phone_codes). Only a keyed hash of
    the code is kept; the row is void once used, expired, replaced by a newer code for the same
    phone and purpose, or after too many wrong tries."""

    phone = models.CharField("手机号", max_length=20)
    purpose = models.CharField("用途", max_length=16, choices=CodePurpose.choices)
    code_hash = models.CharField("验证码哈希", max_length=64)
    created_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("失效时间")
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    void = models.BooleanField("已作废", default=False)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["phone", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class PrivacyNotice(models.Model):
    """One published version of the privacy notice (个人信息处理规则, PIPL art. 17): the
    newest by `published_at` is current; an applicant who consented to an older one is asked
    again (accounts.consent)."""

    version = models.CharField("版本", max_length=32, unique=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    changes = models.TextField("本版变化", blank=True)
    closure = models.TextField("注销账号说明", blank=True)
    published_at = models.DateTimeField("发布时间")

    class Meta:
        verbose_name = "隐私政策版本"
        verbose_name_plural = "隐私政策版本"
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title}（{self.version}）"


class ConsentMethod(models.TextChoices):
    ONLINE = "online", "网上同意"
    PAPER = "paper", "窗口书面同意（工作人员登记）"
    DEMO = "demo", "演示数据（数据包加载，非真实同意）"


class PrivacyConsent(models.Model):
    """A person's consent to one version of the privacy notice, kept as evidence (PIPL
    art. 14); never deleted, not even when the account is closed. How it was given: online by
    the person, on paper at a window (`recorded_by` the clerk, `basis` what was signed), or
    demo data written by the data pack, which is no consent of a real person."""

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.PROTECT,
                             related_name="privacy_consents")
    notice = models.ForeignKey(PrivacyNotice, verbose_name="告知书版本", on_delete=models.PROTECT,
                               related_name="+")
    at = models.DateTimeField("同意时间")
    method = models.CharField("同意方式", max_length=16, choices=ConsentMethod.choices,
                              default=ConsentMethod.ONLINE)
    recorded_by = models.ForeignKey(User, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    basis = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "隐私政策同意记录"
        verbose_name_plural = "隐私政策同意记录"
        constraints = [models.UniqueConstraint(fields=["user", "notice"],
                                               name="privacy_consent_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.notice.version}"


class Address(models.Model):
    """An address the person keeps in 我的空间 to prefill forms (issue 10 §2): a label they
    choose (家, 单位), the region from the 统计用区划代码 and the rest written out. At most
    ADDRESS_LIMIT per person; one may be the default (the one prefilled first)."""

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE,
                             related_name="addresses")
    label = models.CharField("名称", max_length=20)
    region = models.ForeignKey("regions.Region", verbose_name="所在区划",
                               on_delete=models.PROTECT, related_name="+")
    detail = models.CharField("详细地址", max_length=200)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    is_default = models.BooleanField("默认地址", default=False)
    created_at = models.DateTimeField("添加时间")

    class Meta:
        verbose_name = "常用地址"
        verbose_name_plural = "常用地址"
        ordering = ["-is_default", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(is_default=True),
                                    name="address_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.label}：{self.detail}"
