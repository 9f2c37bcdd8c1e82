"""The service hall (政务服务中心 and the townships' 便民服务中心): zones, windows by kind,
the departments and items that have moved in (进驻), opening hours with 延时服务 and
exceptions, the staff on duty per window per day, and appointments (预约) with their
timeline on the process engine (ADR 0018).

State changes happen only through hall.services; an appointment moves only through the
engine (hall.workflow)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.models import BaseModel
from zhengwu.hall.slots import DayType, SessionKind
from zhengwu.process.models import ProcessEvent


class HallKind(models.TextChoices):
    CITY = "city", "政务服务中心"
    TOWNSHIP = "township", "便民服务中心"


class Hall(BaseModel):
    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=10, choices=HallKind.choices)
    region = models.ForeignKey("regions.Region", verbose_name="所在区划",
                               on_delete=models.PROTECT, related_name="halls")
    # Who runs the hall: its staff file at its windows (the 体外循环 report, docs/hall.md).
    operator = models.ForeignKey("departments.Department", verbose_name="运营单位", null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=40, blank=True)
    slot_minutes = models.PositiveSmallIntegerField("预约时段长度(分钟)", default=30)
    per_window = models.PositiveSmallIntegerField("每窗口每时段预约数", default=2)
    illustrative = models.BooleanField("示例数据", default=False)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "服务大厅"
        verbose_name_plural = "服务大厅"
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=HallKind.values),
                                   name="hall_kind_valid"),
            models.CheckConstraint(condition=models.Q(slot_minutes__gte=5),
                                   name="hall_slot_minutes_min"),
        ]

    def __str__(self) -> str:
        return self.name


class Zone(models.Model):
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField("区域", max_length=60)
    floor = models.CharField("楼层", max_length=20, blank=True)

    class Meta:
        verbose_name = "大厅区域"
        verbose_name_plural = "大厅区域"
        ordering = ["hall_id", "name"]
        constraints = [models.UniqueConstraint(fields=["hall", "name"], name="zone_unique")]

    def __str__(self) -> str:
        return f"{self.floor}{self.name}"


class WindowKind(models.TextChoices):
    GENERAL = "general", "综合受理窗口"
    SPECIALIST = "specialist", "专业窗口"
    BUNDLE = "bundle", "一件事窗口"
    PROXY = "proxy", "帮代办窗口"
    NO_REFUSAL = "no_refusal", "办不成事反映窗口"
    CHIEF = "chief", "首席代表窗口"


class Window(models.Model):
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="windows")
    zone = models.ForeignKey(Zone, verbose_name="区域", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="windows")
    number = models.CharField("窗口号", max_length=10)
    kind = models.CharField("窗口类别", max_length=12, choices=WindowKind.choices)
    # Appointments are made per window group: the windows that serve the same items.
    group = models.CharField("窗口组", max_length=40)
    department = models.ForeignKey("departments.Department", verbose_name="所属部门", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["hall_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="window_number_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=WindowKind.values),
                                   name="window_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.number}号窗口（{self.get_kind_display()}）"


class Residence(models.Model):
    """A department that has moved into the hall (进驻)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="residences")
    department = models.ForeignKey("departments.Department", verbose_name="部门",
                                   on_delete=models.PROTECT, related_name="+")
    since = models.DateField("进驻日期")
    # 授权到位: the department's chief representative decides at the window.
    authorized = models.BooleanField("首席代表授权到位", default=False)

    class Meta:
        verbose_name = "进驻部门"
        verbose_name_plural = "进驻部门"
        ordering = ["hall_id", "department_id"]
        constraints = [models.UniqueConstraint(fields=["hall", "department"],
                                               name="residence_unique")]

    def __str__(self) -> str:
        return f"{self.department_id} 进驻 {self.hall_id}"


class Service(models.Model):
    """An item handled at the hall: at which window group, whether only here (hall only: its
    in-person acceptance anywhere else is 体外循环), and whether 预约延时 is allowed."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="services")
    implementation = models.ForeignKey("catalog.ItemImplementation", verbose_name="事项",
                                       on_delete=models.PROTECT, related_name="+")
    window_group = models.CharField("窗口组", max_length=40)
    hall_only = models.BooleanField("只在大厅办理", default=True)
    after_hours = models.BooleanField("可预约延时", default=False)
    bookable = models.BooleanField("可预约", default=True)

    class Meta:
        verbose_name = "进驻事项"
        verbose_name_plural = "进驻事项"
        ordering = ["hall_id", "window_group", "implementation_id"]
        constraints = [models.UniqueConstraint(fields=["hall", "implementation"],
                                               name="hall_service_unique")]

    def __str__(self) -> str:
        return f"{self.implementation_id} @ {self.hall_id}（{self.window_group}）"


DAY_TYPES = [(DayType.WORKDAY.value, "工作日（含调休上班日）"),
             (DayType.REST_DAY.value, "周末（非法定节假日）")]
SESSION_KINDS = [(SessionKind.REGULAR.value, "正常办公"), (SessionKind.LUNCH.value, "午间延时"),
                 (SessionKind.EVENING.value, "晚间延时"), (SessionKind.WEEKEND.value, "周末延时"),
                 (SessionKind.BY_APPOINTMENT.value, "预约延时")]


class OpeningHours(models.Model):
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="hours")
    day_type = models.CharField("适用日", max_length=10, choices=DAY_TYPES)
    kind = models.CharField("类别", max_length=16, choices=SESSION_KINDS)
    start = models.TimeField("开始")
    end = models.TimeField("结束")

    class Meta:
        verbose_name = "办公时间"
        verbose_name_plural = "办公时间"
        ordering = ["hall_id", "day_type", "start"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                              name="opening_hours_order")]

    def __str__(self) -> str:
        return f"{self.day_type} {self.kind} {self.start:%H:%M}–{self.end:%H:%M}"


class DayException(models.Model):
    """One date: the hall is closed, or holds an extra session (e.g. a weekend 延时)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField("日期")
    closed = models.BooleanField("闭厅", default=False)
    kind = models.CharField("类别", max_length=16, default=SessionKind.WEEKEND.value)
    start = models.TimeField("开始", null=True, blank=True)
    end = models.TimeField("结束", null=True, blank=True)
    reason = models.CharField("原因", max_length=200)

    class Meta:
        verbose_name = "特殊安排"
        verbose_name_plural = "特殊安排"
        ordering = ["hall_id", "date", "start"]

    def __str__(self) -> str:
        return f"{self.date} {'闭厅' if self.closed else '加开'}"


class Duty(models.Model):
    """A staff member on duty at a window on a day (排班)."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="duties")
    date = models.DateField("日期")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="工作人员",
                             on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "窗口排班"
        verbose_name_plural = "窗口排班"
        ordering = ["date", "window_id"]
        constraints = [models.UniqueConstraint(fields=["window", "date", "user"],
                                               name="duty_unique")]
        indexes = [models.Index(fields=["date", "user"])]

    def __str__(self) -> str:
        return f"{self.date} {self.window_id} {self.user_id}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    CHECKED_IN = "checked_in", "已签到"
    SERVED = "served", "已办理"
    NO_SHOW = "no_show", "未到"
    CANCELLED = "cancelled", "已取消"


class AppointmentChannel(models.TextChoices):
    WEB = "web", "网上预约"
    STAFF = "staff", "电话/窗口代约"
    API = "api", "接口预约"


class Appointment(BaseModel):
    code = models.CharField("预约码", max_length=12, unique=True)
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, verbose_name="事项", on_delete=models.PROTECT,
                                related_name="appointments")
    window_group = models.CharField("窗口组", max_length=40)
    start = models.DateTimeField("开始")
    end = models.DateTimeField("结束")
    after_hours = models.BooleanField("预约延时", default=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="预约人账号", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=150)
    id_number = models.CharField("证件号码", max_length=18, db_index=True)
    phone = models.CharField("手机号", max_length=20)
    channel = models.CharField("预约渠道", max_length=8, choices=AppointmentChannel.choices)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人",
                                     on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=AppointmentStatus.choices,
                              default=AppointmentStatus.BOOKED)
    booked_at = models.DateTimeField("预约时间")
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    idempotency_key = models.CharField("幂等键", max_length=80, null=True, blank=True)
    request_hash = models.CharField("请求摘要", max_length=64, blank=True)

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=AppointmentStatus.values),
                                   name="appointment_status_valid"),
            models.UniqueConstraint(fields=["submitted_by", "idempotency_key"],
                                    condition=models.Q(idempotency_key__isnull=False),
                                    name="appointment_idempotency_unique"),
        ]
        indexes = [models.Index(fields=["hall", "window_group", "start", "status"]),
                   models.Index(fields=["status", "start"])]

    def __str__(self) -> str:
        return f"预约 {self.code}"


class AppointmentEvent(ProcessEvent):
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE,
                                    related_name="events")

    class Meta(ProcessEvent.Meta):
        ordering = ["appointment_id", "id"]


# --- the queue (取号叫号, ADR 0020) -----------------------------------------------------------


class QueueGroup(models.Model):
    """The letter a window group's numbers are shown with (A012)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="queue_groups")
    group = models.CharField("窗口组", max_length=40)
    prefix = models.CharField("号码前缀", max_length=2)
    illustrative = models.BooleanField("示例数据", default=False)

    class Meta:
        verbose_name = "叫号分组"
        verbose_name_plural = "叫号分组"
        ordering = ["hall_id", "prefix"]
        constraints = [models.UniqueConstraint(fields=["hall", "group"],
                                               name="queue_group_unique")]

    def __str__(self) -> str:
        return f"{self.prefix} {self.group}"


class QueueDay(models.Model):
    """One hall's queue on one Beijing day: the running number handed out last, and a version
    bumped by every move of one of its numbers (the display's cache key)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="queue_days")
    date = models.DateField("日期")
    last_number = models.PositiveIntegerField("已发号", default=0)
    version = models.PositiveBigIntegerField("版本", default=0)

    class Meta:
        verbose_name = "当日队列"
        verbose_name_plural = "当日队列"
        ordering = ["-date", "hall_id"]
        constraints = [models.UniqueConstraint(fields=["hall", "date"],
                                               name="queue_day_unique")]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.date} #{self.last_number}"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", "等候中"
    CALLED = "called", "已叫号"
    SERVING = "serving", "办理中"
    PASSED = "passed", "已过号"
    FINISHED = "finished", "已办结"
    ABANDONED = "abandoned", "已放弃"


class TicketSource(models.TextChoices):
    KIOSK_ID = "kiosk_id", "取号机（身份证）"
    KIOSK_PHONE = "kiosk_phone", "取号机（手机号）"
    STAFF_PHONE = "staff_phone", "电话取号（工作人员代取）"
    APPOINTMENT = "appointment", "预约签到"
    APP = "app", "接口/移动端取号"


class Ticket(BaseModel):
    """取号: a queue number of one hall on one day, a process on the engine (ADR 0020)."""

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField("日期")
    seq = models.PositiveIntegerField("流水号")
    number = models.CharField("号码", max_length=8)
    window_group = models.CharField("窗口组", max_length=40)
    service = models.ForeignKey(Service, verbose_name="事项", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="tickets")
    source = models.CharField("取号方式", max_length=12, choices=TicketSource.choices)
    priority = models.CharField("优先群体", max_length=16, blank=True)
    name = models.CharField("姓名", max_length=150, blank=True)
    id_number = models.CharField("证件号码", max_length=18, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="账号", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    appointment = models.OneToOneField(Appointment, verbose_name="预约", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="ticket")
    # The appointment's slot start: from then on it is served first (rules.queue_order).
    slot_start = models.DateTimeField("预约时段开始", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=TicketStatus.choices,
                              default=TicketStatus.WAITING)
    window = models.ForeignKey(Window, verbose_name="叫号窗口", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="tickets")
    served_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField("取号时间")
    # Where it stands in the queue: the taking, or a re-queue after 过号.
    queued_at = models.DateTimeField("排队时间")
    called_at = models.DateTimeField("首次叫号时间", null=True, blank=True)
    last_called_at = models.DateTimeField("最近叫号时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    requeues = models.PositiveSmallIntegerField("过号重排次数", default=0)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="取号账号",
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    idempotency_key = models.CharField("幂等键", max_length=80, null=True, blank=True)
    request_hash = models.CharField("请求摘要", max_length=64, blank=True)

    class Meta:
        verbose_name = "取号"
        verbose_name_plural = "取号"
        ordering = ["day", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "day", "seq"], name="ticket_seq_unique"),
            models.CheckConstraint(condition=models.Q(status__in=TicketStatus.values),
                                   name="ticket_status_valid"),
            models.UniqueConstraint(fields=["submitted_by", "idempotency_key"],
                                    condition=models.Q(idempotency_key__isnull=False),
                                    name="ticket_idempotency_unique"),
        ]
        indexes = [models.Index(fields=["hall", "day", "status"]),
                   models.Index(fields=["window", "status"])]

    def __str__(self) -> str:
        return f"{self.day} {self.number}"


class TicketEvent(ProcessEvent):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")

    class Meta(ProcessEvent.Meta):
        ordering = ["ticket_id", "id"]
