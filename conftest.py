"""Shared test fixtures: the Leiyang pack loaded once per session, and named actors.

Tests run inside transactions on top of the loaded pack, so each test sees the same data.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.budget import db_only
from zhengwu.accounts.models import User
from zhengwu.accounts.services import actor_for
from zhengwu.core.audit import Actor

# The test OpenID Provider (`oidc_provider`), for the regular tests and tests/browser alike.
pytest_plugins = ["tests.oidc_provider.fixture"]


# A test touches a database through pytest-django's marker or one of these fixtures (a
# fixture's own needs count: `clerk` asks for `db`).
_DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup", "live_server",
                                "django_db_reset_sequences", "django_db_serialized_rollback"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL run (tests/budget.py), leave out the tests that touch no database."""
    if not db_only():
        return
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        uses = item.get_closest_marker("django_db") is not None or bool(
            _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
        (keep if uses else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    from zhengwu.packs.loader import pack_load

    with django_db_blocker.unblock():
        pack_load(settings.ZHENGWU_DEFAULT_PACK)


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test() -> Any:
    """Each test starts without signed checkpoints: its database rolls back, the file would
    not (core.checkpoints)."""
    yield
    with contextlib.suppress(FileNotFoundError):
        os.remove(settings.ZHENGWU_AUDIT_CHECKPOINTS)


def _user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def catalog_admin(db: Any) -> User:
    return _user("catalog")


@pytest.fixture
def catalog_admin2(db: Any) -> User:
    return _user("catalog2")


@pytest.fixture
def supervisor(db: Any) -> User:
    return _user("supervisor")


@pytest.fixture
def clerk(db: Any) -> User:
    return _user("clerk")


@pytest.fixture
def applicant(db: Any) -> User:
    return _user("zhangsan")


@pytest.fixture
def actor_of() -> Any:
    def make(user: User) -> Actor:
        return actor_for(user)

    return make


@pytest.fixture
def client_for(db: Any) -> Any:
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make
