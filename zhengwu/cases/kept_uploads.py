"""The base of every page form whose files must survive a refusal (cases.staging): the
application and supplement forms of cases and the 一件事 wizard's materials and supplement forms
share it, so it lives here rather than in an app's `forms` module (no app imports another's
entry points; pyproject's import-linter contracts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict

from zhengwu.accounts.models import User
from zhengwu.cases import staging
from zhengwu.cases.models import StagedUpload
from zhengwu.cases.uploads import MAX_BYTES, CheckedFile, check_upload
from zhengwu.core.errors import InvalidInput
from zhengwu.core.forms import ErrorsDescribed

# The re-rendered form's hidden tokens of kept files, and the checkboxes that remove them.
KEPT_FIELD = "kept"
DROP_FIELD = "drop"


def _checked_upload(upload: UploadedFile, label: str) -> tuple[str, CheckedFile]:
    """Read and check one uploaded file: its name and checked content; InvalidInput with a
    Chinese message when refused."""
    if (upload.size or 0) > MAX_BYTES:
        raise InvalidInput(f"材料“{label[:60]}”超过 10MB。")
    content = upload.read()
    return (upload.name or label)[-200:], check_upload(label, content)


class KeepsUploads(ErrorsDescribed):
    """A form with file inputs whose checked files survive a refusal (cases.staging): the
    re-rendered form names each kept file and carries its token in a hidden `kept` field; a
    `drop` checkbox removes it, and choosing another file replaces it. `owner` is the
    signed-in account, `keep_as` names the form (and its object) the files belong to."""

    def __init__(self, *args: Any, owner: User | None = None, keep_as: str = "",
                 kept: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.keep_as = keep_as
        self._kept: dict[str, StagedUpload] = {}  # slot → the file kept for it
        self._carried: list[StagedUpload] = []  # kept for a slot this form does not show
        self._fresh: dict[str, tuple[str, CheckedFile]] = {}  # field → a new file, checked
        self._released: list[str] = []  # removed or replaced: deleted at the next write
        # Shown again on an empty form (the wizard went back a step and forward again),
        # once the subclass has added its file fields.
        self._pending = list(kept) if not self.is_bound else []

    def _show_pending(self) -> None:
        if self._pending:
            tokens, self._pending = self._pending, []
            self._sort_kept(self._rows(tokens), dropped=set())
            self._describe_kept()

    def _rows(self, tokens: Sequence[str]) -> list[StagedUpload]:
        if self.owner is None or not self.keep_as:
            return []
        return staging.kept_rows(owner=self.owner, form=self.keep_as, tokens=tokens)

    def _sort_kept(self, rows: list[StagedUpload], dropped: set[str]) -> None:
        slots = {self.slot_of(name) for name in self._file_fields()}
        for row in rows:
            if row.token in dropped:
                self._released.append(row.token)
            elif row.slot in slots and row.slot not in self._kept:
                self._kept[row.slot] = row
            else:
                self._carried.append(row)

    def _describe_kept(self) -> None:
        for name in self._file_fields():
            if self.slot_of(name) in self._kept:
                # The kept file answers the input: not required, and described by the note.
                attrs = self.fields[name].widget.attrs
                attrs.pop("required", None)
                attrs["aria-describedby"] = " ".join(filter(None, [
                    attrs.get("aria-describedby", ""), f"{self[name].auto_id}_kept"]))

    @property
    def staged_form(self) -> str:
        """What the write that files this form is told to use up (services' `staged`)."""
        return self.keep_as if self.owner is not None else ""

    def slot_of(self, name: str) -> str:
        """The stable key of a file field's material (the field name unless overridden)."""
        return name

    def _file_fields(self) -> list[str]:
        return [name for name, field in self.fields.items()
                if isinstance(field, forms.FileField)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        data = self.data
        if not isinstance(data, QueryDict) or self.owner is None or not self.keep_as:
            return cleaned
        posted = data.getlist(KEPT_FIELD)
        rows = self._rows(posted)
        self._sort_kept(rows, dropped=set(data.getlist(DROP_FIELD)))
        stale = len({t for t in posted if t}) - len(rows)
        if stale > 0:
            # Expired, already used, or not this account's: the same words for each.
            hours = int(staging.KEEP_FOR.total_seconds() // 3600)
            self.add_error(None, f"有 {stale} 个已保留的文件已失效（保留超过 {hours} 小时、"
                                 "已经使用或不属于当前账号），请重新选择文件。")
        return cleaned

    def file_given(self, name: str, label: str) -> tuple[str, bytes] | None:
        """The file for field `name`: a newly chosen one that passes the check (it replaces
        a kept one), else the one kept from an earlier attempt, else None. A chosen file
        that fails the check is refused next to its field, naming the file and why."""
        upload = self.cleaned_data.get(name)
        slot = self.slot_of(name)
        kept = self._kept.get(slot)
        if upload:
            try:
                file_name, checked = _checked_upload(upload, label)
            except InvalidInput as error:
                chosen = (upload.name or "")[-60:]
                self.add_error(name, (f"所选文件“{chosen}”未保留：" if chosen else "")
                               + error.message)
                return None
            self._fresh[name] = (file_name, checked)
            if kept is not None:
                self._released.append(kept.token)
                del self._kept[slot]
            return file_name, checked.content
        if kept is None:
            return None
        content = staging.content(kept)
        if content is None:
            del self._kept[slot]
            self.add_error(name, "已保留的文件已失效，请重新选择文件。")
            return None
        return kept.original_name, content

    def keep_uploads(self) -> None:
        """After a refusal (by the form or by the service): keep every newly chosen file that
        passed the check for the next attempt, and delete the removed and replaced ones."""
        if self.owner is None or not self.keep_as:
            return
        staging.discard(owner=self.owner, tokens=self._released)
        self._released = []
        for name, (file_name, checked) in self._fresh.items():
            slot = self.slot_of(name)
            self._kept[slot] = staging.keep(owner=self.owner, form=self.keep_as, slot=slot,
                                            file_name=file_name, checked=checked)
        self._fresh = {}
        self._describe_kept()

    def kept_for(self, name: str) -> staging.KeptFile | None:
        self._show_pending()
        row = self._kept.get(self.slot_of(name))
        return staging.kept_file(row) if row is not None else None

    @property
    def kept_files(self) -> list[staging.KeptFile]:
        self._show_pending()
        return [staging.kept_file(row) for row in self._kept.values()]

    @property
    def carried_tokens(self) -> list[str]:
        """Kept files this form does not show (the wizard's answers changed): carried on."""
        self._show_pending()
        return [row.token for row in self._carried]

    @property
    def file_rows(self) -> list[tuple[forms.BoundField, staging.KeptFile | None]]:
        return [(self[name], self.kept_for(name)) for name in self._file_fields()]
