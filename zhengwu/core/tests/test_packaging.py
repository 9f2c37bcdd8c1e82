"""`pip install .` gives a working platform: the runtime dependencies declared in pyproject.toml
are those of requirements/base.txt, the pinned lock satisfies them, and every file the
platform reads at run time (templates, static files, the demo pack) is package data."""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement

from config.env import BASE_DIR

PYPROJECT = tomllib.loads((BASE_DIR / "pyproject.toml").read_text(encoding="utf-8"))


def _lines(name):
    text = (BASE_DIR / "requirements" / name).read_text(encoding="utf-8")
    return [line.split("#")[0].strip() for line in text.splitlines()
            if line.split("#")[0].strip() and not line.startswith("-")]


def test_declared_dependencies_are_the_base_requirements():
    declared = {str(Requirement(r)) for r in PYPROJECT["project"]["dependencies"]}
    assert declared == {str(Requirement(r)) for r in _lines("base.txt")}


def test_the_pinned_lock_satisfies_every_declared_range():
    pins = {}
    for line in _lines("constraints.txt"):
        name, version = line.split("==")
        pins[Requirement(name).name.lower().replace("_", "-")] = version
    for raw in PYPROJECT["project"]["dependencies"]:
        requirement = Requirement(raw)
        key = requirement.name.lower().replace("_", "-")
        assert key in pins, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[key], prereleases=True), raw


def test_every_runtime_file_is_package_data():
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]
    roots = {pattern.split("/")[0] for pattern in patterns["*"]}  # templates/**/*, static/**/*
    missing = []
    for path in (BASE_DIR / "zhengwu").rglob("*"):
        if (not path.is_file() or path.suffix in (".py", ".pyc") or "tests" in path.parts
                or "__pycache__" in path.parts):
            continue
        package = next(p for p in path.parents if (p / "__init__.py").exists())
        if path.relative_to(package).parts[0] not in roots:
            missing.append(str(path.relative_to(BASE_DIR)))
    assert missing == []
    pack = BASE_DIR / "packs" / "leiyang"
    data = {p.name for p in pack.iterdir() if p.is_file()}
    assert data and all(any(Path(n).match(p) for p in patterns["packs.leiyang"]) for n in data)
