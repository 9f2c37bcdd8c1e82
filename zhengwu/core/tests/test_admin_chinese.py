"""Chinese wherever a person reads the admin (issue 16: it showed "TASKS DATABASE BACKEND /
Task Results"): every registered model's app, names and fields, and the task queue's pages.
Acronyms (ID, PDF, TOTP, UTC, SM3) are Chinese usage; English words are not."""

from __future__ import annotations

import gettext
import re
import struct
from typing import Any

import pytest
from django.contrib import admin
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from config.env import BASE_DIR
from zhengwu.accounts.models import User
from zhengwu.core import clock

ENGLISH_WORD = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*")  # a word with a lower-case letter
LOCALE = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"


def english(text: str) -> list[str]:
    return [w for w in ENGLISH_WORD.findall(text) if len(w) >= 3]


def test_every_name_the_admin_shows_is_chinese() -> None:
    found = []
    with translation.override("zh-hans"):
        for model in admin.site._registry:
            meta = model._meta
            names = [meta.app_config.verbose_name, meta.verbose_name, meta.verbose_name_plural]
            names += [f.verbose_name for f in meta.get_fields()
                      if hasattr(f, "verbose_name") and not f.auto_created]
            found += [(meta.label, str(n)) for n in names if english(str(n))]
    assert found == []


def test_the_compiled_translations_are_those_of_the_source() -> None:
    """locale/…/django.mo is committed (no gettext tools needed to set up); it must say what
    django.po says — edit the .po, then run msgfmt (see the .po's head)."""
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    source = (LOCALE / "django.po").read_text(encoding="utf-8")
    pairs = re.findall(r'(?:msgctxt "([^"]*)"\n)?msgid "([^"]+)"\nmsgstr "([^"]*)"', source)
    assert len(pairs) >= 20
    for context, msgid, msgstr in pairs:
        got = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        assert got == msgstr, (context, msgid)
    # Nothing compiled that the .po lacks: the .mo's string count (its header included).
    count = struct.unpack("<I", (LOCALE / "django.mo").read_bytes()[8:12])[0]
    assert count - 1 == len(pairs)


@pytest.mark.django_db
def test_the_task_queue_pages_read_in_chinese(client_for: Any) -> None:
    client = client_for(User.objects.get(username="admin"))
    index = client.get("/admin/").content.decode()
    assert "后台任务" in index and "后台任务记录" in index
    assert "Tasks Database Backend" not in index and "Task Results" not in index
    DBTaskResult.objects.create(  # the list shows its columns only with a row
        args_kwargs={"args": [], "kwargs": {}}, task_path="zhengwu.core.tasks.example",
        backend_name="default", run_after=clock.now(), exception_class_path="", traceback="")
    listing = client.get("/admin/django_tasks_database/dbtaskresult/").content.decode()
    for label in ("入队时间", "开始时间", "结束时间", "优先级", "队列"):
        assert label in listing
