"""Filling an item's own application form (issue 10 §3) in the browser, as a person would:
the definition is read from the public API (`/api/v1/catalog/implementations/{code}/form`)
only to know what each control asks; every value is typed, chosen or ticked on the page.

Conditional fields hidden by the page (shows_if) are left alone; regions are chosen level by
level, each choice refreshing the next list (htmx); a repeated group's first row is filled.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Page, expect

# Valid sample values by kind (an ID number and a credit code pass their check digits).
SAMPLE_ID = "430481199003154613"
SAMPLE_USCC = "91430481MA4L00003J"
SAMPLE_PHONE = "13800000009"
REGION_PATH = ["430000000000", "430400000000", "430481000000", "430481001000", "430481001001"]
LEVELS = {"county": 3, "township": 4, "village": 5}


def definition(page: Page, code: str) -> dict[str, Any]:
    response = page.request.get(f"/api/v1/catalog/implementations/{code}/form")
    assert response.ok, response.text()
    return dict(response.json())


def _dom(path: str) -> str:
    """The element id of an answer path ("staff.0.name" → "a-staff-0-name")."""
    return "a-" + path.replace(".", "-")


def _date(field: dict[str, Any]) -> str:
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    if field.get("max_date") == "today":
        return "1990-01-01"
    return (today + dt.timedelta(days=30)).isoformat()


def _number(field: dict[str, Any]) -> str:
    low = float(field["min"]) if field.get("min") is not None else 0.0
    high = float(field["max"]) if field.get("max") is not None else low + 1000
    value = min(max(low, 1.0), high)
    return f"{value:.{int(field.get('decimals', 0))}f}"


def fill_field(page: Page, field: dict[str, Any], path: str,
               values: dict[str, str] | None = None) -> None:
    """Answer one field at `path` (skipped when the page hides it); `values` by path override
    the sample value."""
    kind = field["kind"]
    element = _dom(path)
    given = (values or {}).get(path)
    if kind == "group":
        for sub in field["fields"]:
            fill_field(page, sub, f"{path}.0.{sub['key']}", values)
        return
    if kind == "region":
        depth = LEVELS[field.get("region_depth", "village")]
        names = ["province", "county", "township", "village"]
        codes = REGION_PATH[:1] + REGION_PATH[2:]  # 湖南省 → 耒阳市 → 蔡子池街道 → 牌楼居委会
        for level, code in zip(names[:depth - 1], codes[:depth - 1], strict=True):
            select = page.locator(f"#{element}-{level}")
            if not select.is_visible():
                return
            expect(select.locator(f"option[value='{code}']")).to_have_count(1)
            select.select_option(code)
            # The choice refreshes the lower levels through htmx; wait until no request is in
            # flight, or the next choice is dropped while the previous answer is swapped in.
            page.wait_for_function("() => !document.querySelector('.htmx-request')")
        return
    if kind in ("yes_no",):
        radio = page.locator(f"#{element}-{'0' if given == 'true' else '1'}")
        if radio.is_visible():
            radio.check()
        return
    if kind == "choice":
        if field.get("multiple"):
            box = page.locator(f"#{element}-0")
            if box.is_visible():
                box.check()
            return
        select = page.locator(f"#{element}")
        if select.is_visible():
            if given:
                select.select_option(given)
            else:
                select.select_option(index=1)
        return
    if kind == "file":
        control = page.locator(f"#{element}")
        if control.is_visible() and field.get("required", True):
            control.set_input_files({"name": "form.pdf", "mimeType": "application/pdf",
                                     "buffer": _pdf()})
        return
    if kind == "date_range":
        for end in ("start", "end"):
            box = page.locator(f"#{element}-{end}")
            if box.is_visible():
                box.fill(_date(field))
        return
    value = given if given is not None else {
        "number": _number(field), "money": _number({**field, "decimals": 2}),
        "date": _date(field), "id_number": SAMPLE_ID, "uscc": SAMPLE_USCC,
        "phone": SAMPLE_PHONE, "email": "applicant@example.com",
    }.get(kind, "示例内容")
    box = page.locator(f"#{element}")
    if box.is_visible() and box.is_editable() and (given is not None or not box.input_value()):
        box.fill(value)


def fill_item_form(page: Page, code: str, values: dict[str, str] | None = None) -> None:
    """Answer every field of the implementation's form that the page shows."""
    for field in definition(page, code)["fields"]:
        fill_field(page, field, field["key"], values)


def _pdf() -> bytes:
    from tests.browser.test_case_story import small_pdf

    return small_pdf()


def fill_rendered_form(page: Page, scope: str = "main") -> None:
    """Answer every visible, still empty control of an item form on the page, whatever form
    it is (an item's own, or a bundle's union of its members' forms): each input says its
    kind (`data-kind`), selects and radios are chosen, regions cascade level by level."""
    root = page.locator(scope)
    regions = [f.get_attribute("id") or "" for f in root.locator("fieldset.region").all()
               if f.is_visible()]
    for element in regions:
        levels = ["province", "county", "township", "village"]
        codes = REGION_PATH[:1] + REGION_PATH[2:]
        for level, code in zip(levels, codes, strict=True):
            select = page.locator(f"#{element}-{level}")
            if not select.count() or not select.is_visible():
                break
            option = select.locator(f"option[value='{code}']")
            if not option.count():
                # No live refresh of this level here: 更新下级选项 (a page load, or an htmx
                # swap where the page runs its steps with htmx).
                page.locator(f"#{element} button[name=refresh]").click()
                select = page.locator(f"#{element}-{level}")
                option = select.locator(f"option[value='{code}']")
            expect(option).to_have_count(1)
            if select.input_value() != code:
                select.select_option(code)
                # Give a live refresh its moment to bring the next level's choices.
                page.wait_for_timeout(300)
    for control in root.locator("input[data-kind], textarea[name^='a.']").all():
        if not control.is_visible() or not control.is_editable() or control.input_value():
            continue
        kind = control.get_attribute("data-kind") or "long_text"
        if kind == "date":
            value = "1990-01-01" if control.get_attribute("max") and not control.get_attribute(
                "min") else _date({})
        elif kind in ("number", "money"):
            low = float(control.get_attribute("data-min") or 0)
            value = f"{max(low, 1.0):.2f}" if kind == "money" else f"{max(low, 1.0):g}"
        else:
            value = {"id_number": SAMPLE_ID,
                     "uscc": SAMPLE_USCC, "phone": SAMPLE_PHONE,
                     "email": "applicant@example.com"}.get(kind, "示例内容")
        control.fill(value)
    for select in root.locator("select[name^='a.']").all():
        name = select.get_attribute("name") or ""
        if select.is_visible() and not select.input_value() and not any(
                name.endswith(f".{level}") for level in ("province", "county", "township",
                                                         "village")):
            select.select_option(index=1)
    for radio in root.locator("input[type=radio][name^='a.'][value=false]").all():
        name = radio.get_attribute("name") or ""
        if radio.is_visible() and not root.locator(
                f"input[type=radio][name='{name}']:checked").count():
            radio.check()
    checked: set[str] = set()
    for box in root.locator("input[type=checkbox][name^='a.']").all():
        name = box.get_attribute("name") or ""
        if name.endswith(".remove") or name in checked or not box.is_visible():
            continue
        checked.add(name)
        if not root.locator(f"input[type=checkbox][name='{name}']:checked").count():
            box.check()
