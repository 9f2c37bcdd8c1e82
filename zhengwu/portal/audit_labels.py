"""Plain Chinese for the audit log (审计日志, issue 16): what an action code, a role and a
before → after mean to the supervisor reading them.

An action code is `<app>.<verb>` or `<app>.<thing>.<verb>`. The moves of a process on the
engine are labelled by its own move table (`process.spec.Table`: its noun and each move's
label, the ones its pages show), so a new move is labelled where it is declared; every other
code is in `LABELS` below. `tests/…/test_audit_labels.py` reads every `audit_record` call in
the source and fails on a code with no label, and on a role of any move table without one.
A code nobody labelled still shows, as itself: the log never hides a row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from zhengwu.accounts.roles import Role
from zhengwu.bundles.workflow import BUNDLE_TABLE
from zhengwu.cases.access import CASE_TABLE
from zhengwu.cases.credit import REPAIR_TABLE
from zhengwu.draws.services import DRAW_TABLE
from zhengwu.evaluations.workflow import RECTIFICATION_TABLE
from zhengwu.hall.workflow import APPOINTMENT_TABLE
from zhengwu.hall.workflow import TICKET_TABLE as HALL_TICKET_TABLE
from zhengwu.hotline.workflow import ORDER_TABLE
from zhengwu.inspections.process import INSPECTION_TABLE
from zhengwu.jointreviews.workflow import JOINT_REVIEW_TABLE
from zhengwu.market.agencies import AGENCY_TABLE
from zhengwu.market.complaints import COMPLAINT_TABLE
from zhengwu.market.projects import PROJECT_TABLE
from zhengwu.openness.workflow import REQUEST_TABLE
from zhengwu.policies.grants import GRANT_LIST_TABLE
from zhengwu.process.spec import Table
from zhengwu.unresolved.workflow import TICKET_TABLE as UNRESOLVED_TICKET_TABLE


@dataclass(frozen=True)
class Process:
    """A process whose moves are audited as `<prefix>.<move>`: its table and its model."""

    table: Table[Any]
    model: str  # app_label.ModelName, as AuditEvent.object_type holds it


# Audit prefix → the process. One entry per process on the engine (the census test checks
# that every f"<prefix>.{…action}" code in the source has one).
PROCESSES: dict[str, Process] = {
    "cases": Process(CASE_TABLE, "cases.Case"),
    "cases.credit_repair": Process(REPAIR_TABLE, "cases.CreditRepair"),
    "bundles": Process(BUNDLE_TABLE, "bundles.BundleCase"),
    "draws": Process(DRAW_TABLE, "draws.Draw"),
    "evaluations.rectification": Process(RECTIFICATION_TABLE, "evaluations.Rectification"),
    "hall.appointment": Process(APPOINTMENT_TABLE, "hall.Appointment"),
    "hall.ticket": Process(HALL_TICKET_TABLE, "hall.Ticket"),
    "hotline.order": Process(ORDER_TABLE, "hotline.WorkOrder"),
    "inspections.inspection": Process(INSPECTION_TABLE, "inspections.Inspection"),
    "jointreviews": Process(JOINT_REVIEW_TABLE, "jointreviews.JointReview"),
    "market.agency": Process(AGENCY_TABLE, "market.Agency"),
    "market.complaint": Process(COMPLAINT_TABLE, "market.Complaint"),
    "market.project": Process(PROJECT_TABLE, "market.Project"),
    "openness.request": Process(REQUEST_TABLE, "openness.OpennessRequest"),
    "policies.grant_list": Process(GRANT_LIST_TABLE, "policies.GrantList"),
    "unresolved.ticket": Process(UNRESOLVED_TICKET_TABLE, "unresolved.Ticket"),
}

# Steps a process records besides its table's moves (its start, sweeps, recomputations).
PROCESS_STEPS: dict[str, str] = {
    "submit": "提交", "open": "发起", "recompute_due": "重算期限", "verify": "事后核查",
    "recompute_verification_due": "重算核查期限", "schedule": "安排会议",
    "department_supplement_request": "部门提出补正", "due_soon": "即将到期提醒",
    "overdue": "逾期", "warn": "预警", "escalate": "升级督办",
    "escalate_contact": "逾期未联系，升级督办", "take": "取号", "book": "预约",
    "remind": "预约提醒", "accept": "受理", "close": "办结", "import": "导入",
    "attach": "添加附件",
}

# Every other action code, in full.
LABELS: dict[str, str] = {
    # accounts
    "accounts.address_delete": "账号：删除常用地址",
    "accounts.address_save": "账号：保存常用地址",
    "accounts.authorization_confirm": "企业授权：确认授权",
    "accounts.authorization_grant": "企业授权：授予经办人",
    "accounts.authorization_letter_check": "企业授权：核验授权书",
    "accounts.authorization_letter_upload": "企业授权：上传授权书",
    "accounts.authorization_request": "企业授权：申请授权",
    "accounts.authorization_revoke": "企业授权：撤销授权",
    "accounts.close": "账号：注销",
    "accounts.enterprise_register": "账号：企业注册",
    "accounts.identity_card_prevails": "实名认证：以身份证件为准",
    "accounts.identity_recorded": "实名认证：记录身份信息",
    "accounts.identity_verify_failed": "实名认证：核验未通过",
    "accounts.password_reset": "账号：重置密码",
    "accounts.phone_change": "账号：更换手机号",
    "accounts.privacy_consent": "个人信息：同意隐私政策",
    "accounts.privacy_notice_publish": "个人信息：发布隐私政策",
    "accounts.recovery_code_use": "账号：使用恢复码登录",
    "accounts.recovery_codes_new": "账号：重新生成恢复码",
    "accounts.role_assign": "账号：授予角色",
    "accounts.role_revoke": "账号：收回角色",
    "accounts.second_factor_locked": "账号：动态口令错误次数过多，锁定",
    "accounts.signup": "账号：注册",
    "accounts.sso_link": "账号：绑定统一身份认证",
    "accounts.sso_login": "账号：统一身份认证登录",
    "accounts.totp_enable": "账号：启用动态口令",
    "accounts.user_create": "账号：创建账号",
    "accounts.window_account_open": "账号：窗口代开账号",
    # assistance (帮办代办)
    "assistance.butler_assign": "项目管家：指派管家",
    "assistance.butler_end": "项目管家：结束服务",
    "assistance.message_send": "项目管家：发送消息",
    "assistance.project_close": "重点项目：结束帮办",
    "assistance.project_create": "重点项目：登记",
    # audit, sharing anchors
    "audit.seal": "审计日志：封存检查点",
    "sharing.uselog_anchor": "数据使用记录：锚定到审计链",
    # bundles
    "bundles.draft_reject": "一件事目录：退回草稿",
    "bundles.draft_save": "一件事目录：保存草稿",
    "bundles.draft_submit": "一件事目录：提交审核",
    "bundles.identities_replace": "一件事目录：更新材料同一性对照",
    "bundles.publish": "一件事目录：发布",
    # cases
    "cases.credit_record.record": "信用：记入失信记录",
    "cases.deem_approved_batch": "办件：超时默认准予（批量）",
    "cases.deem_held": "办件：超时默认暂缓（待人工处理）",
    "cases.licence_ex_officio": "办件：依职权核验电子证照",
    "cases.registration_assign": "办件：分配登记编号",
    "cases.unmask": "办件：查看完整个人信息",
    # catalog
    "catalog.draft_reject": "事项目录：退回草稿",
    "catalog.draft_save": "事项目录：保存草稿",
    "catalog.draft_submit": "事项目录：提交审核",
    "catalog.form_code_sets": "事项目录：更新表单代码集",
    "catalog.import_finish": "事项目录：导入完成",
    "catalog.import_upload": "事项目录：上传导入文件",
    "catalog.item_create": "事项目录：新增基本目录事项",
    "catalog.item_form": "事项目录：设置事项申请表",
    "catalog.item_update": "事项目录：修改基本目录事项",
    "catalog.licence_type_set": "事项目录：设置结果证照类型",
    "catalog.publish": "事项目录：发布",
    "catalog.synonym_delete": "搜索同义词：删除",
    "catalog.synonym_save": "搜索同义词：保存",
    "catalog.synonyms_load": "搜索同义词：批量载入",
    # departments, regions, workdays
    "departments.load": "部门：载入数据包",
    "regions.load": "行政区划：载入数据包",
    "workdays.year_enter": "工作日历：录入年度节假日安排",
    # evaluations
    "evaluations.contact_read": "好差评：查看评价人联系方式",
    "evaluations.rate": "好差评：评价",
    # hall
    "hall.duty.add": "政务大厅：新增值班",
    "hall.duty.delete": "政务大厅：删除值班",
    "hall.exception.add": "政务大厅：新增特殊办公日",
    "hall.exception.delete": "政务大厅：删除特殊办公日",
    "hall.hours.add": "政务大厅：新增办公时间",
    "hall.hours.delete": "政务大厅：删除办公时间",
    "hall.pack.load": "政务大厅：载入数据包",
    "hall.residence.delete": "政务大厅：撤出进驻事项",
    "hall.residence.save": "政务大厅：保存进驻事项",
    "hall.service.delete": "政务大厅：删除业务类别",
    "hall.service.save": "政务大厅：保存业务类别",
    "hall.settings.save": "政务大厅：保存大厅设置",
    "hall.window.save": "政务大厅：保存窗口",
    # hotline
    "hotline.categories.load": "12345：载入诉求分类",
    "hotline.order_read": "12345：查看工单个人信息",
    "hotline.routing.version": "12345：发布派单规则版本",
    "hotline.upstream.ack": "12345：上级平台确认接收",
    # inspections
    "inspections.conflict_declare": "双随机：登记回避关系",
    "inspections.inspector_register": "双随机：登记执法检查人员",
    "inspections.inspectors_redraw": "双随机：重新抽取检查人员",
    "inspections.inspectors_short": "双随机：检查人员不足",
    "inspections.item_create": "双随机：新增监管事项",
    "inspections.plan_create": "双随机：制定抽查计划",
    "inspections.plan_draw": "双随机：抽取检查对象",
    "inspections.plan_draw_aborted": "双随机：抽取中止",
    "inspections.plan_publish": "双随机：公示抽查计划",
    "inspections.targets_drawn": "双随机：检查对象抽取完成",
    # licences
    "licences.download": "电子证照：下载",
    "licences.expire_batch": "电子证照：到期失效（批量）",
    "licences.issue": "电子证照：签发",
    "licences.present": "电子证照：出示（亮证）",
    "licences.reinstate": "电子证照：恢复有效",
    "licences.revoke": "电子证照：注销",
    "licences.supersede": "电子证照：换发（原证失效）",
    "licences.suspend": "电子证照：暂停",
    "licences.trust_list_accept": "电子证照：接受信任清单",
    "licences.type_save": "电子证照：保存证照类型",
    # market
    "market.expert.add": "中介超市：登记评审专家",
    "market.expert.conflict": "中介超市：登记专家回避关系",
    "market.pack_agency": "中介超市：载入中介机构（演示）",
    "market.pack_expert": "中介超市：载入评审专家（演示）",
    "market.pack_project": "中介超市：载入项目（演示）",
    # notifications
    "notifications.outbox_retry": "消息：重新发送",
    # openness
    "openness.column.add": "政务公开：新增栏目",
    "openness.column.withdraw": "政务公开：撤下栏目",
    "openness.new_media.inspect": "政务新媒体：检查",
    "openness.new_media.load": "政务新媒体：载入数据包",
    "openness.new_media.overdue": "政务新媒体：逾期未更新",
    "openness.new_media.register": "政务新媒体：登记账号",
    "openness.new_media.status": "政务新媒体：变更状态",
    "openness.request_read": "依申请公开：查看申请人信息",
    # plan (督查督办)
    "plan.ask_report": "督查督办：要求报送进展",
    "plan.comment": "督查督办：批注",
    "plan.escalate": "督查督办：升级督办",
    "plan.load": "督查督办：载入行动方案",
    "plan.record": "督查督办：记录",
    "plan.report": "督查督办：报送进展",
    # policies
    "policies.benefit_publish": "惠企政策：发布兑现事项",
    "policies.document_create": "惠企政策：登记政策文件",
    "policies.document_status": "惠企政策：变更文件状态",
    "policies.fact_file_import": "惠企政策：导入数据文件",
    "policies.file_add": "惠企政策：上传附件",
    "policies.grant_paid": "免申即享：登记兑付",
    "policies.interpretation_add": "惠企政策：新增政策解读",
    "policies.persons_read": "免申即享：查看名单个人信息",
    "policies.rule_version_add": "免申即享：新增规则版本",
    # sharing
    "sharing.catalogue_load": "数据共享：载入资源目录",
    "sharing.request": "数据共享：申请调用",
    # unresolved
    "unresolved.ticket_read": "办不成事：查看反映人信息",
}

# Roles in the audit trail: the accounts' roles and the parties of the move tables.
ROLE_LABELS: dict[str, str] = {
    **{str(role.value): str(role.label) for role in Role},
    "system": "系统", "admin": "管理员", "agency": "中介机构", "applicant": "申请人",
    "caller": "来电人", "department": "承办部门", "director": "负责人", "expert": "评审专家",
    "inspector": "检查人员", "lead": "牵头部门", "officer": "经办人员", "operator": "话务员",
    "owner": "项目业主", "participant": "参与部门", "party": "当事人", "person": "本人",
    "public": "公众", "rater": "评价人", "second_reviewer": "复核人员", "staff": "工作人员",
    "window": "窗口人员", "winner": "中选机构",
}

# Keys of before/after that are not fields of the object's model.
KEY_LABELS: dict[str, str] = {
    "status": "状态", "state": "状态", "reason": "理由", "reasons": "理由", "count": "数量",
    "items": "事项", "due": "期限", "deadline": "期限", "note": "说明", "kind": "类别",
    "role": "角色", "department": "部门", "departments": "部门", "number": "编号",
    "name": "名称", "names": "名称", "version": "版本", "rows": "行数", "file": "文件",
    "file_name": "文件名", "title": "标题", "region": "区划", "changed": "变更项",
    "pack": "数据包", "keys": "项", "method": "方式", "rule_versions": "规则版本",
    "rules": "规则", "illustrative": "示例数据", "created": "新增", "measures": "措施",
    "targets": "检查对象", "accounts": "账号", "month": "月份", "records": "记录数",
    "notices": "通知数", "draw": "抽取", "date": "日期", "uscc": "统一社会信用代码",
    "active": "有效", "is_active": "有效", "user": "账号", "username": "账号", "term": "词语",
    "task": "任务", "payload": "内容", "issuer": "签发机关", "code": "编码", "closed": "已关闭",
    "certificate": "证书", "cases": "办件", "year": "年份", "verified": "已核验",
    "unmasked": "查看完整信息", "text": "内容", "seq": "序号", "seconds": "秒数",
    "sealed": "已封存", "revoked": "已撤销", "published_at": "发布时间", "proxy": "代办人",
    "pool": "候选范围", "phone_changed": "更换手机号", "persons": "人数",
    "payment_reference": "付款凭证号", "paid_on": "付款日期", "message": "消息",
    "manager": "管理人", "licence_type": "证照类型", "level": "层级", "left": "剩余",
    "ids": "编号", "identifiers": "标识", "identifier": "标识", "hash": "哈希", "group": "分组",
    "enterprise": "企业", "document": "文件", "doc_number": "文号", "definition": "定义",
    "days": "天数", "confirmed": "已确认", "channel": "渠道", "bytes": "字节数", "by": "操作方",
    "basic_code": "基本编码", "seconds_left": "剩余秒数",
    # Keys of the moves' event data and of audit rows that are no model field (issue 16
    # walk-through: provisional, notice, by_law, materials and missing were shown as written).
    "provisional": "临时期限", "notice": "文书编号", "by_law": "逾期自动受理（行政许可法第三十二条）",
    "materials": "材料", "material": "材料", "missing": "未提交的材料", "type": "类型",
    "due_at": "办结期限", "bundle": "一件事编号", "by_commitment": "告知承诺",
    "authority": "登记机关", "authorizations_revoked": "撤销的授权", "existing": "已有记录",
    "fee": "费用", "flags": "标记", "graphic_of": "图解所属文件", "how": "方式",
    "issuers": "签发机关", "kept": "保留", "letter_checked": "授权书已核验",
    "opened_by": "开户人", "removed": "删除", "replaced": "被替换", "rule_version": "规则版本",
    "sm3": "SM3 摘要", "through": "途径", "updated": "更新", "use_seq": "使用序号",
    "verified_by": "核验人", "verified_in_person": "当面核验", "what": "内容", "with": "对象",
}


def _split(code: str) -> tuple[str, str]:
    prefix, _, verb = code.rpartition(".")
    return prefix, verb


def action_label(code: str) -> str:
    """The action in plain Chinese: "办件：受理", "账号：授予角色"; the code itself when
    nobody labelled it."""
    if code in LABELS:
        return LABELS[code]
    prefix, verb = _split(code)
    process = PROCESSES.get(prefix)
    if process is not None:
        move = process.table.moves.get(verb)
        step = move.label if move is not None else PROCESS_STEPS.get(verb)
        if step:
            return f"{process.table.noun}：{step}"
    return code


def labelled(code: str) -> bool:
    return action_label(code) != code


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role) if role else ""


def object_type_label(object_type: str) -> str:
    """The model's Chinese name ("办件") for "cases.Case"; the text itself otherwise."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name)


@dataclass(frozen=True)
class Change:
    """One key of a before → after, in words."""

    label: str
    before: str
    after: str


def _process_of(object_type: str) -> Process | None:
    return next((p for p in PROCESSES.values() if p.model == object_type), None)


def _value(value: Any, field: Any, process: Process | None, key: str) -> str:
    if value is None or value == "":
        return "（空）"
    if process is not None and key == process.table.status_field and isinstance(value, str):
        try:
            return process.table.status_label(value)
        except ValueError:  # a state since renamed: shown as written
            return value
    if field is not None and getattr(field, "choices", None):
        shown = dict(field.flatchoices).get(value)
        if shown is not None:
            return str(shown)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(_value(v, None, None, "") for v in value) or "（空）"
    if isinstance(value, dict):  # {"material": …, "reason": …} → 材料：…，理由：…
        return "，".join(f"{KEY_LABELS.get(str(k), str(k))}：{_value(v, None, None, str(k))}"
                        for k, v in value.items())[:200] or "（空）"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        try:  # an ISO time as the audit stores it: shown in Beijing time
            at = dt.datetime.fromisoformat(value)
        except ValueError:
            return value[:200]
        if at.tzinfo is not None:
            at = at.astimezone(dt.timezone(dt.timedelta(hours=8)))
        return at.strftime("%Y-%m-%d %H:%M")
    return str(value)[:200]


def changes(object_type: str, before: Mapping[str, Any] | None,
            after: Mapping[str, Any] | None) -> list[Change]:
    """Each key of before/after with the model's field name in Chinese and each value as a
    person reads it (a status by the process's own names, a choice by its label, a time in
    Beijing time); keys in the order they were written."""
    before, after = before or {}, after or {}
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        model = None
    process = _process_of(object_type)
    rows = []
    for key in [*before, *(k for k in after if k not in before)]:
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(key)
            except FieldDoesNotExist:
                field = None
        label = str(getattr(field, "verbose_name", "") or KEY_LABELS.get(key, key))
        rows.append(Change(label,
                           _value(before[key], field, process, key) if key in before else "",
                           _value(after[key], field, process, key) if key in after else ""))
    return rows
