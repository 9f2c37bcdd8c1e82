"""Names with rare characters travel byte-exact from the form to the PDF (quality.md #15):
Extension B (𠀾), the middle dot of minority names, full-width digits in the ID."""

import io

import pytest
from pypdf import PdfReader

from zhengwu.accounts.models import UserKind
from zhengwu.accounts.services import user_create
from zhengwu.cases.models import NoticeKind
from zhengwu.cases.notices import notice_pdf
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.cases.tests.conftest import FORM
from zhengwu.core.masking import mask_name

pytestmark = pytest.mark.django_db


# Not zhangsan's (FORM): one ID number belongs to one person account (ADR 0014).
RARE_ID = "430481198808081023"


@pytest.mark.parametrize("name", ["李𠀾", "阿依古丽·买买提"])
def test_a_rare_name_round_trips_into_the_notice_pdf(food, submit, clerk, name):
    # The account is this person's: online one applies only in the name recorded on it.
    person = user_create(username="rare", password="x-demo-2026-x", kind=UserKind.PERSON,
                         display_name=name, citizen_id=RARE_ID)
    # Full-width digits are normalised (NFKC) to the ID they stand for.
    full_width_id = RARE_ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    case = submit(food, submitted_by=person,
                  form_data={**FORM, "applicant_name": name, "id_number": full_width_id})
    assert case.applicant_name == name  # byte-exact
    assert case.applicant_id_number == RARE_ID
    case = case_transition(case_id=case.pk, user=clerk, move=MoveIn(action="accept"))
    notice = case.notices.get(kind=NoticeKind.ACCEPTANCE)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(notice_pdf(notice))).pages)
    assert name in text.replace("\n", "")
    masked = mask_name(name)
    assert masked.startswith(name[0])  # the first character whole, never half a surrogate pair
    assert len(masked) == len(name)
