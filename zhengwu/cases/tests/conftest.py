"""Case fixtures: valid files, a ready-made submission, and staff of other departments."""

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, user_create
from zhengwu.cases import answers as item_answers
from zhengwu.cases import item_form, staging
from zhengwu.cases.models import MaterialKind
from zhengwu.cases.services import MaterialIn, case_submit
from zhengwu.cases.uploads import check_upload
from zhengwu.catalog.application_form import FieldDef, FormDefinition, Kind, RegionDepth
from zhengwu.catalog.models import ItemImplementation
from zhengwu.core import clock
from zhengwu.core.codes import make_uscc
from zhengwu.departments.models import Department

FOOD = "食品经营许可证核发（新办）"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def food(db) -> ItemImplementation:
    return ItemImplementation.objects.get(item__name=FOOD, level=4)


def uploads_for(impl: ItemImplementation,
                sources: tuple[str, ...] = ("applicant", "commitment")) -> list[MaterialIn]:
    """A file for every required material the applicant gives: its own, and by default
    those it could replace by a commitment (告知承诺替代) but uploads instead."""
    return [MaterialIn(name=m.name, kind=MaterialKind.UPLOAD, file_name="scan.pdf",
                       content=pdf_bytes())
            for m in impl.materials.filter(source__in=sources, required=True)]


def by_commitment(impl: ItemImplementation) -> list[MaterialIn]:
    """An application on commitment (告知承诺): every required material the catalogue lets
    a commitment replace is committed, the applicant's own are uploaded."""
    return [MaterialIn(name=m.name, kind=MaterialKind.COMMITMENT)
            for m in impl.materials.filter(source="commitment", required=True)] + \
        uploads_for(impl, sources=("applicant",))


FORM = {"applicant_name": "张三", "id_number": "43048119900101123X", "phone": "13800000001",
        "address": "耒阳市蔡子池街道"}


SAMPLE_ID, SAMPLE_PHONE = "43048119900101123X", "13800000001"


def answers_for(definition: FormDefinition, owner: User | None = None, *,
                id_number: str = SAMPLE_ID, phone: str = SAMPLE_PHONE) -> dict[str, object]:
    """Valid answers to any item's form: every field but optional files answered with a
    plain valid value (a required file is staged for `owner`, as the pages stage it; left
    out without an owner); ID numbers and phones are `id_number` and `phone`."""
    answers = _level(definition.fields, owner, "")
    return _personal(definition.fields, answers, id_number, phone)


def _personal(fields: list[FieldDef], answers: dict[str, Any], id_number: str,
              phone: str) -> dict[str, Any]:
    for spec in fields:
        if spec.kind == Kind.ID_NUMBER and spec.key in answers:
            answers[spec.key] = id_number
        elif spec.kind == Kind.PHONE and spec.key in answers:
            answers[spec.key] = phone
        elif spec.kind == Kind.GROUP:
            for row in answers.get(spec.key) or []:
                _personal(spec.fields, row, id_number, phone)
    return answers


def _required_files(fields: list[FieldDef], answers: dict[str, Any], base: str) -> list[str]:
    """The paths of the required file fields that `answers` (answers_for) leaves open."""
    found = []
    for spec in fields:
        if spec.kind == Kind.FILE and spec.required and spec.key not in answers:
            found.append(base + spec.key)
        elif spec.kind == Kind.GROUP:
            for index, row in enumerate(answers.get(spec.key) or []):
                found += _required_files(spec.fields, row, f"{base}{spec.key}.{index}.")
    return found


def sample_answers(impl: ItemImplementation, *, id_number: str = SAMPLE_ID,
                   phone: str = SAMPLE_PHONE) -> dict[str, object] | None:
    """answers_for an item's own form (None for an item without one), files left out."""
    definition = item_answers.definition(impl)
    return answers_for(definition, id_number=id_number, phone=phone) \
        if definition is not None else None


def page_answers(impl: ItemImplementation) -> dict[str, object]:
    """The inputs of an item's own form, validly filled, as its apply page posts them
    ({} for an item without a form): tests of other things post them unchanged."""
    definition = item_answers.definition(impl)
    if definition is None:
        return {}
    answers = answers_for(definition)
    data: dict[str, object] = dict(item_form.post_from_answers(definition, answers).lists())
    for path in _required_files(definition.fields, answers, ""):
        data[item_form.input_name(path)] = SimpleUploadedFile("form.pdf", pdf_bytes(),
                                                              "application/pdf")
    return data


def api_answers(impl: ItemImplementation) -> tuple[dict[str, object] | None, dict[str, object]]:
    """An item's own form validly answered for the API, with the file parts it names;
    (None, {}) for an item without a form."""
    definition = item_answers.definition(impl)
    if definition is None:
        return None, {}
    answers = answers_for(definition)
    files: dict[str, object] = {}
    for index, path in enumerate(_required_files(definition.fields, answers, "")):
        part = f"answer_file{index}"
        item_form.set_answer(answers, path, {"file_field": part})
        files[part] = SimpleUploadedFile("form.pdf", pdf_bytes(), "application/pdf")
    return answers, files


def _level(fields: list[FieldDef], owner: User | None, base: str) -> dict[str, object]:
    out = {}
    for spec in fields:
        value = _sample(spec, owner, base + spec.key)
        if value is not None:
            out[spec.key] = value
    return out


def _day(spec: FieldDef) -> str:
    today = clock.today()
    low = today if spec.min_date == "today" else (
        dt.date.fromisoformat(spec.min_date) if spec.min_date else None)
    high = today if spec.max_date == "today" else (
        dt.date.fromisoformat(spec.max_date) if spec.max_date else None)
    day = max(low or today, min(high or today, today))
    return day.isoformat()


def _sample(spec: FieldDef, owner: User | None, path: str):
    kind = spec.kind
    if kind in (Kind.NUMBER, Kind.MONEY):
        value = max(spec.min if spec.min is not None else 1, 1)
        return str(min(value, spec.max) if spec.max is not None else value)
    if kind == Kind.DATE:
        return _day(spec)
    if kind == Kind.DATE_RANGE:
        return {"start": _day(spec), "end": _day(spec)}
    if kind == Kind.REGION:
        # A region is answered at the depth asked (蔡子池街道, its 牌楼居委会).
        return {RegionDepth.COUNTY: "430481000000", RegionDepth.TOWNSHIP: "430481001000",
                RegionDepth.VILLAGE: "430481001001"}[spec.region_depth]
    if kind == Kind.ID_NUMBER:
        return SAMPLE_ID
    if kind == Kind.USCC:
        return make_uscc("9", "1", "430481", "MA4L0000")
    if kind == Kind.PHONE:
        return SAMPLE_PHONE
    if kind == Kind.EMAIL:
        return "test@example.com"
    if kind == Kind.CHOICE:
        options = spec.options or item_answers.form_code_sets().get(spec.code_set, [])
        return [options[0].value] if spec.multiple else options[0].value
    if kind == Kind.YES_NO:
        return False
    if kind == Kind.GROUP:
        return [_level(spec.fields, owner, f"{path}.{i}.") for i in range(
            max(spec.min_items, 1))]
    if kind == Kind.FILE:
        if not spec.required or owner is None:
            return None
        row = staging.keep(owner=owner, form="tests", slot=path, file_name="scan.pdf",
                           checked=check_upload("scan.pdf", pdf_bytes()))
        return {"name": "scan.pdf", "token": row.token}
    return "测试"[: spec.max_length or 2]


@pytest.fixture
def submit(applicant):
    def make(impl, **overrides):
        kwargs = {"implementation_id": impl.pk, "submitted_by": applicant,
                  "form_data": dict(FORM), "materials": uploads_for(impl)}
        definition = item_answers.definition(impl)
        if definition is not None and "answers" not in overrides:
            # An item with its own form is filed with it (issue 10).
            kwargs["answers"] = answers_for(definition, overrides.get("submitted_by",
                                                                      applicant))
        kwargs.update(overrides)
        return case_submit(**kwargs).case

    return make


@pytest.fixture
def reviewer(db) -> User:
    return User.objects.get(username="reviewer")


@pytest.fixture
def chief(db) -> User:
    return User.objects.get(username="chief")


@pytest.fixture
def staff_of(db):
    def make(short_name: str, role: Role = Role.REVIEWER, username: str = "") -> User:
        department = Department.objects.get(short_name=short_name)
        user = user_create(username=username or f"{role.value}-{department.pk}",
                           password="x-demo-2026-x", kind=UserKind.STAFF,
                           display_name=f"{department.short_name}{role.label}")
        role_assign(user=user, role=role, department=department)
        return user

    return make
