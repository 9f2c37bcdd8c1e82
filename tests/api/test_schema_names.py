"""Every schema the API documents has a name of its own. Django Ninja names an OpenAPI
component after its class, so two apps' `ItemOut` became one component: the catalogue's items
were documented — and validated by schemathesis — as the supervision items' shape (a CI run
failed on it; twelve older pairs had gone unnoticed because their shapes happened to pass).
"""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema


def _subclasses(base: type) -> set[type]:
    found = set()
    for sub in base.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def test_no_two_api_schemas_share_a_name() -> None:
    import config.api  # noqa: F401 — every router and its schemas imported

    by_name: dict[str, set[str]] = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("zhengwu."):
            by_name[schema.__name__].add(schema.__module__)
    shared = {name: sorted(modules) for name, modules in by_name.items() if len(modules) > 1}
    assert shared == {}, f"schemas sharing a name (one OpenAPI component): {shared}"
