"""Form fields shared by the pages where people type free text (the case and bundle apply
forms): one rule for which characters text may hold, core.text.check_text, on pages and API
alike.

Django's CharField refuses a NUL by itself (ProhibitNullCharactersValidator) before the form's
own validation runs; its Chinese message ("不允许是用空字符串。") wrongly says "empty string",
and the field then looks empty ("请填写…"). TextField leaves NUL to check_text, which names the
character and its position, and never echoes a raw control character back into the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from zhengwu.core.text import redisplayable


class TextField(forms.CharField):
    """A CharField whose characters are checked by core.text.check_text (called by the form's
    validation, e.g. cases.formdef.validate_form) and whose redisplayed value shows U+FFFD in
    place of control characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators
                           if not isinstance(v, ProhibitNullCharactersValidator)]

    def prepare_value(self, value: Any) -> Any:
        return redisplayable(value) if isinstance(value, str) else value
