"""Multipart requests of the application APIs (cases and bundles, as architecture.md's API
conventions describe them): a JSON `payload` part plus one part per uploaded file, or a JSON
body when no file is sent; their bounds, their OpenAPI description, the session auth that
refuses an oversized body before it is parsed, and the pairing of declared materials with file
parts. The error codes are the cases API's (`case.payload_json`, `case.file_missing`, …), which
the bundles API answers too: one contract for both.

Not an entry point itself, so that the bundles API uses it without importing cases.api.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from django.core.exceptions import SuspiciousOperation
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import SessionAuth
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from zhengwu.cases.models import MaterialKind
from zhengwu.cases.schemas import MaterialSpecIn
from zhengwu.cases.services import MaterialIn
from zhengwu.cases.uploads import MAX_BYTES, MAX_FILES
from zhengwu.core.errors import InvalidInput

SchemaT = TypeVar("SchemaT", bound=BaseModel)

# A whole submission: 50 files of at most 10 MB each would be 500 MB; 100 MB is plenty for a
# real application and bounds what one request may make the server store.
MAX_REQUEST_BYTES = 100 * 1024 * 1024
MAX_PAYLOAD_CHARS = 200_000
MAX_FORM_FIELDS = 4  # payload, and room for csrfmiddlewaretoken
MULTIPART_DOC = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["payload"],
            "properties": {"payload": {
                "type": "string",
                "description": "JSON：提交时为 SubmitIn，补正时为 SupplementIn；"
                               "上传的文件作为其他 multipart 字段，由 materials[].file_field 指明"}},
        }}},
    },
}


class UploadSessionAuth(SessionAuth):
    """Session auth for multipart operations: the request size is refused before the body is
    parsed (the CSRF check reads it), and a body with too many parts is a JSON 413, not
    Django's HTML 400."""

    def _get_key(self, request: HttpRequest) -> str | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_REQUEST_BYTES:
            raise InvalidInput("提交内容过大：一次最多 100MB。", code="case.request_too_large",
                               http_status=413)
        try:
            return super()._get_key(request)
        except (SuspiciousOperation, MultiPartParserError) as error:
            raise _unreadable(error) from error


upload_auth = UploadSessionAuth()


def _unreadable(error: Exception) -> InvalidInput:
    if isinstance(error, SuspiciousOperation):
        return InvalidInput(f"提交内容过大或文件过多：最多 {MAX_FILES} 个文件、共 100MB。",
                            code="case.too_many_parts", http_status=413)
    return InvalidInput("multipart 内容无法解析。", code="case.bad_multipart", http_status=400)


def multipart_payload(request: HttpRequest) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """The JSON `payload` and the uploaded files of a multipart request, bounded."""
    if request.content_type == "application/json":
        try:
            raw: str | None = request.body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidInput("payload 不是 UTF-8 文本。", code="case.payload_json") from error
        except SuspiciousOperation as error:
            raise _unreadable(error) from error
        files: dict[str, UploadedFile] = {}
    else:
        try:
            post, uploaded = request.POST, request.FILES
        except (SuspiciousOperation, MultiPartParserError) as error:
            raise _unreadable(error) from error
        if len(post) > MAX_FORM_FIELDS:
            raise InvalidInput("表单字段过多：只需 payload 一个字段。", code="case.too_many_fields")
        parts = [(key, upload) for key in uploaded for upload in uploaded.getlist(key)]
        if len(parts) > MAX_FILES:
            raise InvalidInput(f"文件过多：最多 {MAX_FILES} 个。", code="case.too_many_files",
                               http_status=413)
        if sum(upload.size or 0 for _, upload in parts) > MAX_REQUEST_BYTES:
            raise InvalidInput("文件总大小超过 100MB。", code="case.request_too_large",
                               http_status=413)
        if len(parts) != len(uploaded):
            raise InvalidInput("每个文件字段只能放一个文件。", code="case.duplicate_file_field")
        raw = post.get("payload")
        files = dict(parts)
    if not raw:
        raise InvalidInput("缺少 payload 字段（申请内容的 JSON）。", code="case.payload_missing")
    if len(raw) > MAX_PAYLOAD_CHARS:
        raise InvalidInput("payload 过长。", code="case.payload_too_long")
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise InvalidInput("payload 不是有效的 JSON。", code="case.payload_json") from error
    if not isinstance(data, dict):
        raise InvalidInput("payload 应为 JSON 对象。", code="case.payload_json")
    return data, files


def schema_validated(schema: type[SchemaT], data: dict[str, Any]) -> SchemaT:
    try:
        return schema.model_validate(data)
    except PydanticValidationError as error:
        # ctx (max_length, le …) goes along: config/api.py words the detail from it; a
        # validator's exception as its text, as ninja passes it.
        errors = [{"loc": ("payload", *e["loc"]), "msg": e["msg"], "type": e["type"],
                   "ctx": {k: str(v) if isinstance(v, Exception) else v
                           for k, v in e.get("ctx", {}).items()}}
                  for e in error.errors(include_url=False)]
        raise NinjaValidationError(errors) from error


def materials_from_specs(specs: list[MaterialSpecIn],
               files: dict[str, UploadedFile], *,
               answered: set[str] | frozenset[str] = frozenset()) -> list[MaterialIn]:
    """Pair each declared material with its file part; every file part must be declared
    (a material, or a file answer of the item's own form: `answered`)."""
    used: set[str] = set(answered)
    materials = []
    for spec in specs:
        content, file_name = b"", ""
        if spec.file_field is not None:
            if spec.kind != "upload":
                raise InvalidInput(f"材料“{spec.name}”不是上传方式，不能附文件。",
                                   code="case.file_not_expected")
            upload = files.get(spec.file_field)
            if upload is None:
                raise InvalidInput(f"材料“{spec.name}”的文件字段“{spec.file_field}”不存在。",
                                   code="case.file_missing")
            if (upload.size or 0) > MAX_BYTES:
                raise InvalidInput(f"材料“{spec.name}”超过 10MB。", code="case.upload_too_large",
                                   http_status=413)
            upload.seek(0)
            content, file_name = upload.read(), (upload.name or "")[-200:]
            used.add(spec.file_field)
        elif spec.kind == "upload":
            raise InvalidInput(f"材料“{spec.name}”选择了上传，请附上文件（file_field）。",
                               code="case.file_required")
        kind: str = spec.kind
        reference = spec.reference
        if kind == "licence":  # the identifier of a licence the applicant holds
            if not spec.licence.strip():
                raise InvalidInput(f"材料“{spec.name}”选择了电子证照，请填写证照标识（licence）。",
                                   code="case.licence_required")
            kind, reference = MaterialKind.E_LICENSE, spec.licence.strip()
        elif kind == "shared_data" and spec.item:
            reference = spec.item
        materials.append(MaterialIn(name=spec.name, kind=kind,
                                    file_name=file_name, content=content,
                                    reference=reference))
    unused = sorted(set(files) - used)
    if unused:
        raise InvalidInput("以下文件未对应任何材料：" + "、".join(unused[:5]),
                           code="case.file_unreferenced")
    return materials
