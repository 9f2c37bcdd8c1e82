"""Case fixtures: valid files, a ready-made submission, and staff of other departments."""

import io

import pytest
from PIL import Image

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.roles import Role
from zhengwu.accounts.services import role_assign, user_create
from zhengwu.cases.models import MaterialKind
from zhengwu.cases.services import MaterialIn, case_submit
from zhengwu.catalog.models import ItemImplementation
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


def uploads_for(impl: ItemImplementation) -> list[MaterialIn]:
    return [MaterialIn(name=m.name, kind=MaterialKind.UPLOAD, file_name="scan.pdf",
                       content=pdf_bytes())
            for m in impl.materials.filter(source="applicant", required=True)]


FORM = {"applicant_name": "张三", "id_number": "43048119900101123X", "phone": "13800000001",
        "address": "耒阳市蔡子池街道"}


@pytest.fixture
def submit(applicant):
    def make(impl, **overrides):
        kwargs = {"implementation_id": impl.pk, "submitted_by": applicant,
                  "form_data": dict(FORM), "materials": uploads_for(impl)}
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
