"""Domain errors: what a service raises when a rule says no.

Interfaces map them in one place each: config/api.py for JSON (`{"code","detail"}`, 4xx) and
form errors in views. `message` is Chinese, for people; `code` is stable, for programs.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"
    http_status = 409

    def __init__(self, message: str, *, code: str | None = None,
                 http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status


class InvalidInput(DomainError):
    """The request is well-formed but its content breaks a rule (422)."""

    code = "invalid_input"
    http_status = 422


class FieldsInvalid(InvalidInput):
    """What was typed breaks rules, one Chinese message per field (`fields`, keyed by the
    form's or the schema's field names): pages put each beside its field
    (core.forms.refuse), the API answers 422 with the first as `detail`."""

    def __init__(self, fields: dict[str, str], *, code: str | None = None) -> None:
        super().__init__(next(iter(fields.values())), code=code)
        self.fields = fields


class NotAllowed(DomainError):
    """The actor may not do this (403)."""

    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    """The object's state does not allow this now (409)."""

    code = "conflict"
    http_status = 409
