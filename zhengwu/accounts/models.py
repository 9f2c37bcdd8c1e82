"""Users (staff and applicants), their scoped roles, recovery codes, and the throttle counters."""

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
    realname_level = models.PositiveSmallIntegerField("实名等级", choices=RealNameLevel.choices,
                                                      default=RealNameLevel.NONE)
    identity_verified_at = models.DateTimeField("身份核验时间", null=True, blank=True)
    identity_method = models.CharField("身份核验方式", max_length=16, blank=True,
                                       choices=IdentityMethod.choices)
    totp_secret = models.CharField("TOTP 密钥", max_length=64, blank=True)
    totp_enabled = models.BooleanField("已启用双因素认证", default=False)
    # The 30-second time step of the last TOTP code accepted: a code is good once (RFC 6238
    # §5.2), so one seen over a shoulder or replayed from a proxy log opens nothing.
    totp_last_step = models.PositiveBigIntegerField("上次使用的 TOTP 时间步", null=True,
                                                    blank=True, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_staff_user(self) -> bool:
        return self.kind == UserKind.STAFF


class RoleAssignment(models.Model):
    """A role held by a user, scoped to a department and/or a region (None = unscoped)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
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

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
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


class Address(models.Model):
    """An address the person keeps in 我的空间 to prefill forms (issue 10 §2): a label they
    choose (家, 单位), the region from the 统计用区划代码 and the rest written out. At most
    ADDRESS_LIMIT per person; one may be the default (the one prefilled first)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
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
