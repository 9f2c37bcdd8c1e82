"""The search index is built before a web worker serves (issue 16: right after a restart,
searches waited ~1 s while each worker built its own): `zhengwu serve` runs gunicorn with
config.gunicorn_hooks, whose post_worker_init builds it."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest
from django.db import connection

from config import gunicorn_hooks
from zhengwu.catalog import search
from zhengwu.catalog.services import catalog_generation_bump
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


def test_the_master_builds_the_index_before_forking_and_again_on_reload(monkeypatch) -> None:
    """Issue 16: gunicorn stops the old workers as soon as it has forked the new ones on HUP,
    so an index built in each new worker made requests wait. The master (preload_app) builds
    it when ready and brings it up to date on HUP, in line (no thread before a fork), and
    closes its connections so that no worker shares one."""
    from django.db import connections

    closed, frozen = [], []
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True))
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    monkeypatch.setattr(search, "_index", None)
    assert gunicorn_hooks.preload_app is True
    gunicorn_hooks.when_ready(SimpleNamespace())
    built = search._index
    assert built is not None and built.generation == search.current_generation()
    gunicorn_hooks.on_reload(SimpleNamespace())
    assert search._index is built  # nothing moved: kept
    catalog_generation_bump()
    gunicorn_hooks.on_reload(SimpleNamespace())
    assert search._index is not built  # rebuilt in line for the new generation
    assert search._index.generation == search.current_generation()
    assert closed == [True, True, True]
    assert frozen == [True, True, True]  # the collector leaves the inherited objects alone


def test_a_failed_build_in_the_master_does_not_stop_the_server(monkeypatch, caplog) -> None:
    from django.db import connections

    def broken() -> None:
        raise RuntimeError("database not ready")

    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.setattr(search, "index_built_in_line", broken)
    gunicorn_hooks.when_ready(SimpleNamespace())
    assert "search index not built before forking" in caplog.text
