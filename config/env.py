"""Reading the environment: the only place settings look at os.environ."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def debug_requested() -> bool:
    """DEBUG only when a developer asks for it: ZHENGWU_DEBUG=1 (DJANGO_DEBUG=1, the older name,
    is still honoured). Never by default, not even for `make run`: Django's debug pages show
    tracebacks and settings to whoever opens the browser (issue 8, finding 4)."""
    return env_bool("ZHENGWU_DEBUG", default=env_bool("DJANGO_DEBUG", default=False))


def data_dir() -> Path:
    """ZHENGWU_DATA_DIR: the SQLite file, uploads, audit checkpoints, keys and the generated
    secret key. Default var/ in a source checkout; ./var where the package is installed
    (`pip install .`), never inside site-packages."""
    checkout = (BASE_DIR / "manage.py").exists()
    default = BASE_DIR / "var" if checkout else Path.cwd() / "var"
    path = Path(env_str("ZHENGWU_DATA_DIR", str(default)))
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """DJANGO_SECRET_KEY, else a key generated once and kept in the data dir (mode 600)."""
    explicit = env_str("DJANGO_SECRET_KEY")
    if explicit:
        return explicit
    key_file = directory / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()
