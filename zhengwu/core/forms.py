"""What the forms of every app's pages share: the base that marks invalid fields for screen
readers (ErrorsDescribed), the field for free text (TextField) — one rule for which
characters text may hold, core.text.check_text, on pages and API alike — and the widget of
every date field (DateInput).

Django's CharField refuses a NUL by itself (ProhibitNullCharactersValidator) before the form's
own validation runs; its Chinese message ("不允许是用空字符串。") wrongly says "empty string",
and the field then looks empty ("请填写…"). TextField leaves NUL to check_text, which names the
character and its position, and never echoes a raw control character back into the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.safestring import SafeString

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


def mark_errors(form: forms.Form) -> None:
    """Mark each field with errors aria-invalid and point it at its error message; called
    again after a service's rule added errors to a form already validated."""
    for name in form.errors:
        if name in form.fields:
            attrs = form.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"{form[name].auto_id}_error"


def refuse(form: forms.Form, fields: dict[str, str]) -> None:
    """Put a service's per-field refusal (core.errors.FieldsInvalid) beside each field the
    form has, the rest above it, and mark them for screen readers."""
    for name, message in fields.items():
        form.add_error(name if name in form.fields else None, message)
    mark_errors(form)


class ErrorsDescribed(forms.Form):
    """Marks each field with errors aria-invalid and points it at its error message."""

    def full_clean(self) -> None:
        super().full_clean()
        mark_errors(self)


class DateInput(forms.DateInput):
    """`<input type="date">` with its value in ISO form (2026-12-06). Browsers drop any other
    value of a date input, and Django would write the locale's (zh-hans: 2026/12/06), so the
    field looked empty and was refused on submission unless retyped."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class PlainSelect(forms.Select):
    """A `<select>` written directly, not through a template per option: the same markup as
    Django's (attributes, `selected`), a few microseconds an option where the template renderer
    takes a fifth of a millisecond — the search page renders a hundred options on every
    request (issue 16: its p99 at province scale). No option groups."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        from django.forms.utils import flatatt
        from django.utils.html import conditional_escape, format_html
        from django.utils.safestring import mark_safe

        chosen = {str(v) for v in self.format_value(value)}
        final = self.build_attrs(self.attrs, attrs)
        options = "".join(
            f'<option value="{conditional_escape(v)}"'
            f'{" selected" if str(v) in chosen else ""}>{conditional_escape(str(label))}</option>'
            for v, label in ((str(v) if v is not None else "", label)
                             for v, label in self.choices))
        return format_html("<select name=\"{}\"{}>{}</select>", name, flatatt(final),
                           mark_safe(options))  # noqa: S308 — every value and label escaped above
