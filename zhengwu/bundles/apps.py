from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from zhengwu.catalog.search import SourceDoc


def sweep(now: dt.datetime) -> str:
    from zhengwu.bundles.sweeps import run

    return run(now)


def search_documents() -> list[SourceDoc]:
    from zhengwu.bundles.search_source import search_documents

    return search_documents()


class BundlesConfig(AppConfig):
    name = "zhengwu.bundles"
    label = "bundles"
    verbose_name = "一件事一次办"

    def ready(self) -> None:
        from zhengwu.bundles import drafts as wizard_drafts
        from zhengwu.bundles.selectors import member_parent
        from zhengwu.bundles.services import member_case_moved
        from zhengwu.cases import drafts, parents
        from zhengwu.cases.services import CASE_PROCESS
        from zhengwu.catalog import search
        from zhengwu.core import sweeps

        # After the cases sweep: it closes the member cases that sweep decided.
        sweeps.register("bundles", sweep, stage=sweeps.Stage.FOLLOW)
        search.register_source("bundles", search_documents)  # 一件事 in search (ADR 0009)
        parents.register("bundles", member_parent)  # a member case's page shows its bundle
        # 我的空间 lists the wizard's drafts with the item drafts (cases.drafts).
        drafts.describer_register(wizard_drafts.PREFIX, wizard_drafts.describe)
        from zhengwu.process import engine

        # A bundle is told of its member cases' moves (ADR 0013).
        engine.listen(CASE_PROCESS, member_case_moved)
