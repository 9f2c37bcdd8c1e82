from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from zhengwu.accounts.models import User


def sweep(now: dt.datetime) -> str:
    from zhengwu.cases.sweeps import run

    return run(now).summary()


def verifications(now: dt.datetime) -> str:
    from zhengwu.cases.verification import overdue_tell

    return f"事后核查逾期提醒 {overdue_tell(now)} 项"


def orphan_uploads(now: dt.datetime) -> str:
    from zhengwu.cases.sweeps import remove_orphan_uploads

    return f"清理无主上传文件 {remove_orphan_uploads(now)} 个"


def staged_uploads(now: dt.datetime) -> str:
    from zhengwu.cases.staging import sweep_expired

    return f"清理过期暂存上传文件 {sweep_expired(now)} 个"


def open_cases_block_closure(user: User) -> str:
    """Closing an account (accounts.closing) waits for the person's cases still running."""
    from zhengwu.cases.models import OPEN_STATUSES, Case

    count = Case.objects.filter(applicant=user, status__in=OPEN_STATUSES).count()
    return f"您有 {count} 件办件尚在办理中，办结或撤回后才能注销" if count else ""


def drafts(now: dt.datetime) -> str:
    from zhengwu.cases.drafts import sweep_expired

    return f"清理过期申请草稿 {sweep_expired(now)} 份"


class CasesConfig(AppConfig):
    name = "zhengwu.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from django.core import checks

        from zhengwu.accounts.closing import closure_guard_register
        from zhengwu.cases.registration import uscc_assigner_check
        from zhengwu.cases.selectors import cases_filed_per_implementation
        from zhengwu.cases.services import cases_recompute_provisional
        from zhengwu.cases.verification import verifications_recompute_provisional
        from zhengwu.catalog import selectors as catalog_selectors
        from zhengwu.core import sweeps
        from zhengwu.workdays.services import YEAR_ENTERED

        checks.register(uscc_assigner_check, checks.Tags.security, deploy=True)
        sweeps.register("cases.deadlines", sweep)
        sweeps.register("cases.orphan_uploads", orphan_uploads)
        sweeps.register("cases.drafts", drafts)
        sweeps.register("cases.staged_uploads", staged_uploads)
        sweeps.register("cases.verifications", verifications)
        # 放权赋权回头看 counts the cases filed for each delegated item (the catalogue is a
        # layer below and cannot ask).
        catalog_selectors.case_counter_register("cases", cases_filed_per_implementation)
        closure_guard_register("cases", open_cases_block_closure)
        # 我的空间 lists the person's application drafts (core.personal_space).
        from zhengwu.cases.drafts import my_space_section
        from zhengwu.core import personal_space

        personal_space.register(personal_space.Section(
            key="drafts", title="草稿", order=20, provide=my_space_section,
            empty="没有未提交的申请草稿。", personal=True))
        # A grant issues its item's electronic licence in the decision's transaction, however
        # it is made (a move, a bundle, the sweep's bulk 超时默认): cases.licensing.
        from zhengwu.cases.licensing import licence_on_decision
        from zhengwu.cases.services import CASE_PROCESS
        from zhengwu.process import engine

        engine.listen(CASE_PROCESS, licence_on_decision)
        for recompute in (cases_recompute_provisional, verifications_recompute_provisional):
            if recompute not in YEAR_ENTERED:
                YEAR_ENTERED.append(recompute)
