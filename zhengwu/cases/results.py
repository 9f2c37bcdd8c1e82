"""Which result document a decided case gets, by the type of its item — the one place the
notice issuing (`services`), the notice template (`notices`) and the pages read it from.

The 事项类型 codes are those of GB/T 39046-2020 Table A.1 (`catalog.models.ItemType`; see
shared/docs/standards-notes.md §1): 01 行政许可, 02 行政处罚, 03 行政强制, 04 行政征收,
05 行政给付, 06 行政检查, 07 行政确认, 08 行政奖励, 09 行政裁决, 10 其他行政权力,
20 公共服务. The documents:

- 01 行政许可: 准予行政许可决定书 / 不予行政许可决定书 (行政许可法 art. 38 and 39).
- 备案: the table has no code of its own for a filing — the catalogues list 公章刻制备案,
  离境退税商店备案, 仅销售预包装食品经营者备案 … as 10 其他行政权力 (or 07 行政确认) — so a
  filing is known by its name (事项名称 ends in or contains “备案”): 备案回执 / 不予备案通知书.
- every other type (05 给付, 07 确认, 08 奖励, 09 裁决, 10 其他, 20 公共服务 such as opening a
  bank account or registering for social insurance): 办结通知书 / 不予办理通知书. What the
  applicant actually receives is the item's 结果名称 (GB/T 39046 Table 4), printed in the body.

A deemed approval (超时默认) keeps its own 超时默认准予通知书 whatever the type: it records
that the platform decided, not the department.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhengwu.cases.models import NoticeKind

LICENSING = "01"  # GB/T 39046-2020 Table A.1


@dataclass(frozen=True)
class ResultDocument:
    """The documents of one family of items and the words the pages use for its decisions."""

    family: str  # "licence", "filing" or "completion"
    grant: NoticeKind
    denial: NoticeKind
    grant_label: str  # the decision as a staff member makes it: 准予行政许可 …
    deny_label: str
    granted: str  # the outcome as the applicant reads it: 准予许可 …


LICENCE = ResultDocument("licence", NoticeKind.GRANT, NoticeKind.DENIAL,
                         "准予行政许可", "不予许可", "准予许可")
FILING = ResultDocument("filing", NoticeKind.FILING, NoticeKind.FILING_DENIAL,
                        "予以备案", "不予备案", "予以备案")
COMPLETION = ResultDocument("completion", NoticeKind.COMPLETION, NoticeKind.NOT_DONE,
                            "准予办理", "不予办理", "准予办理")


def result_document(item_type: str, item_name: str) -> ResultDocument:
    """The result document of an item, from its 事项类型 code and its name."""
    if item_type == LICENSING:
        return LICENCE
    if "备案" in item_name:
        return FILING
    return COMPLETION


def collection_text(*, bundle_number: str, delivery_label: str, department: str) -> str:
    """How the applicant gets the result, saying only what the case holds: the online form
    asks for no delivery method, so none is "chosen" until staff record the delivery."""
    if bundle_number:
        return (f"本事项属于“一件事”（编号{bundle_number}），办理结果随该一件事的全部结果"
                "一次送达。")
    if delivery_label:
        return f"办理结果已以“{delivery_label}”方式送达。"
    return ("本文书可在网上办事大厅的办件详情中下载和核验。办理结果的送达方式由本机关另行告知，"
            f"你（单位）也可以凭本文书到{department}办理窗口领取。")
