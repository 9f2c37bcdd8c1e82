"""core.forms.PlainSelect writes what Django's Select writes (the search page renders its
hundred options without a template per option, issue 16)."""

from __future__ import annotations

import pytest
from django import forms
from django.test import SimpleTestCase

from zhengwu.core.forms import PlainSelect

CHOICES = [("", "全部"), ("1", "甲 & <乙>"), (2, "丙\"丁"), ("x", "戊")]


@pytest.mark.parametrize("value", [None, "", "1", 2, ["x"], "nope"])
def test_the_markup_is_djangos(value: object) -> None:
    ours = PlainSelect(choices=CHOICES, attrs={"class": "c"}).render("f", value,
                                                                      attrs={"id": "id_f"})
    theirs = forms.Select(choices=CHOICES, attrs={"class": "c"}).render("f", value,
                                                                       attrs={"id": "id_f"})
    SimpleTestCase().assertHTMLEqual(ours, theirs)
    assert "<乙>" not in ours  # escaped
