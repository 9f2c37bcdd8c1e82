"""Reading back what the platform prints, as a person or a scanner would: PDF fonts."""

from pypdf import PdfReader
from pypdf.generic import DictionaryObject


def pdf_fonts(reader: PdfReader) -> list[tuple[str, DictionaryObject | None]]:
    """(BaseFont without the slash, FontDescriptor) of every font the pages use."""
    found: dict[str, DictionaryObject | None] = {}
    for pdf_page in reader.pages:
        resources = pdf_page.get("/Resources")
        font_dict = resources.get_object().get("/Font") if resources else None
        if not font_dict:
            continue
        for ref in font_dict.get_object().values():
            font = ref.get_object()
            fonts = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for f in fonts:
                descriptor = f.get("/FontDescriptor")
                found[str(f["/BaseFont"]).lstrip("/")] = (
                    descriptor.get_object() if descriptor is not None else None)
    return list(found.items())


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font the pages use (name with its subset tag) → whether its file is embedded."""
    return {name: descriptor is not None and any(
        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        for name, descriptor in pdf_fonts(reader)}
