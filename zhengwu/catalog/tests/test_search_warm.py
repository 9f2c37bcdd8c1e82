"""The search index is built before a web worker serves (issue 16: right after a restart,
searches waited ~1 s while each worker built its own): `zhengwu serve` runs gunicorn with
config.gunicorn_hooks, whose post_worker_init builds it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection

from config import gunicorn_hooks
from zhengwu.catalog import search
from zhengwu.core.management.commands.serve import gunicorn_argv

pytestmark = pytest.mark.django_db


def test_serve_runs_gunicorn_with_the_hooks() -> None:
    argv = gunicorn_argv("config.wsgi:application", host="127.0.0.1", port="8000",
                         workers="2", hooks=True)
    assert argv[argv.index("--config") + 1] == "python:config.gunicorn_hooks"


def test_a_worker_has_its_index_before_its_first_request(monkeypatch) -> None:
    monkeypatch.setattr(search, "_index", None)
    # The hook closes the worker's connection; the test's must stay open (its transaction).
    monkeypatch.setattr(connection, "close", lambda: None)
    gunicorn_hooks.post_worker_init(SimpleNamespace(pid=4242))
    assert search._index is not None
    assert search._index.generation == search.current_generation()


def test_a_failed_build_does_not_stop_the_worker(monkeypatch, caplog) -> None:
    def broken() -> None:
        raise RuntimeError("database not ready")

    monkeypatch.setattr(search, "get_index", broken)
    gunicorn_hooks.post_worker_init(SimpleNamespace(pid=4243))
    assert "search index not built before serving" in caplog.text
