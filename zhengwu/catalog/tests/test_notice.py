"""The printable 一次性告知单: Chinese text, embedded CJK font, a QR code to the online guide."""

import io

import pytest
import zxingcpp
from django.conf import settings
from PIL import Image
from pypdf import PdfReader

from tests.pdfcheck import embedded_fonts
from zhengwu.catalog.models import ItemImplementation

pytestmark = pytest.mark.django_db


@pytest.fixture
def impl():
    return ItemImplementation.objects.select_related("item").get(
        item__name="食品经营许可证核发（新办）", level=4)


def test_the_notice_pdf_has_the_guide_in_chinese_with_the_font_embedded(client, impl):
    response = client.get(f"/guide/{impl.code}/notice.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "食品经营许可证核发" in text
    assert "一次性告知单" in text
    assert "申请材料" in text
    for material in impl.materials.all():
        assert material.name[:6] in text.replace("\n", "")
    fonts = embedded_fonts(reader)
    cjk = {name: ok for name, ok in fonts.items() if "CJK" in name}
    assert cjk, fonts
    assert all(cjk.values()), fonts
    # Subset fonts carry a six-letter tag: ABCDEF+NotoSerifCJK…
    assert all("+" in name for name in cjk), fonts


def test_the_qr_code_opens_the_online_guide(client, impl):
    png = client.get(f"/guide/{impl.code}/qr.png")
    assert png["Content-Type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert [d.text for d in decoded] == [f"{settings.ZHENGWU_PUBLIC_URL}/guide/{impl.code}/"]
    svg = client.get(f"/guide/{impl.code}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg")
    assert client.get(f"/guide/{impl.code}/qr.gif").status_code == 404


def test_an_unknown_guide_is_a_404_page(client):
    response = client.get("/guide/000000000000000000000000000000X/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
