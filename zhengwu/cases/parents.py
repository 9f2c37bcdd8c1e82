"""The larger application a case is part of, as its case page shows it: a 一件事 member case
links to its bundle and shows the part of the bundle's one form (一套表单) its department
receives, so the reviewer who decides sees what the applicant entered once.

The app that owns such applications registers a reader here (bundles does, in its
AppConfig.ready); cases never imports it (bundles sits above cases). A reader is keyed by
name, so registering twice or in any app order gives the same result. Readers only read: the
page's own access record (cases.services.case_access_record) logs the staff member's look.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from zhengwu.cases.models import Case


@dataclass(frozen=True)
class Parent:
    kind: str  # what the larger application is called: 一件事
    number: str
    name: str  # e.g. 企业开办一件事
    url: str
    # The parent's form as this case receives it, (label, value) in form order; personal
    # data masked unless the viewer may see the case's own personal data whole.
    form_rows: tuple[tuple[str, str], ...]
    note: str = ""  # what the parent does for its members (acceptance, delivery …)


# (case, masked) → the parent of this case, or None if it is not this reader's.
Reader = Callable[[Case, bool], Parent | None]
_READERS: dict[str, Reader] = {}


def register(name: str, reader: Reader) -> None:
    _READERS[name] = reader


def parent_of(case: Case, *, masked: bool) -> Parent | None:
    """The application `case` belongs to (a bundle for a member case), or None."""
    if not case.bundle_number:  # the only kind of parent today; saves a query per page
        return None
    for reader in _READERS.values():
        parent = reader(case, masked)
        if parent is not None:
            return parent
    return None
