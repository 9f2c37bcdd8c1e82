"""The deploy check refuses a holder-reference key derived from SECRET_KEY (core.checks)."""

from __future__ import annotations

from django.test import override_settings

from zhengwu.core.checks import holder_ref_key_check


def test_production_needs_its_own_holder_reference_key() -> None:
    with override_settings(ZHENGWU_HOLDER_REF_KEY=""):
        assert [m.id for m in holder_ref_key_check()] == ["zhengwu.core.E001"]
    with override_settings(ZHENGWU_HOLDER_REF_KEY="short"):
        assert [m.id for m in holder_ref_key_check()] == ["zhengwu.core.E001"]
    with override_settings(ZHENGWU_HOLDER_REF_KEY="k" * 44):
        assert holder_ref_key_check() == []
