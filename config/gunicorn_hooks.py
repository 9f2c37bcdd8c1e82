"""gunicorn server settings and hooks (`zhengwu serve` passes `--config
python:config.gunicorn_hooks`): the search index is built once, in the master, before any worker
is forked, so that no citizen waits for it (issue 16).

- `preload_app`: the master loads the application, so what it builds its workers inherit.
- `when_ready` (master, listening, no worker yet): builds the index — seconds at province scale
  (docs/benchmarks.md) — and loads what a worker's first request would (the URLconf, the API's
  schemas, the segmenter); requests that arrive meanwhile wait in the listen queue. This is the
  one wait left, on a cold start.
- `on_reload` (master, on HUP, before the new workers are forked and the old ones stopped):
  brings the index up to the catalogue's generation while the old workers still serve; the new
  workers fork with it and take requests at once. (gunicorn stops the old workers as soon as
  the new ones are forked, ready or not: a worker that built its own index after the fork made
  requests wait for the build.) With `preload_app`, HUP does not load new code: deploy code
  with a restart or USR2 (docs/deploy.md).
- `post_worker_init` (each worker, before its first request): the inherited index, rebuilt in
  the background if the catalogue moved since the fork (catalog.search.get_index).

A failed build is logged and the platform serves anyway: search then builds its index on the
first query, as it did before.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

log = logging.getLogger("zhengwu.search")

preload_app = True


def _build_in_master(where: str) -> None:
    try:
        from django.urls import get_resolver

        from zhengwu.catalog.search import index_built_in_line

        # What a worker's first request would load: the URLconf with every view and the API's
        # schemas (~4 s at first import), and the word segmenter's model (a first search).
        get_resolver().url_patterns  # noqa: B018 — read for its import
        index = index_built_in_line()
        index.search("营业执照")
        # Out of the collector's sight: a worker's collections would otherwise walk the
        # inherited index's millions of objects, copying the pages they touch (the gc module's
        # notes on fork()).
        gc.freeze()
        log.info("search index ready in the master (%s, generation %s)", where,
                 index.generation)
    except Exception:  # a cold index is no reason to refuse to serve
        log.exception("search index not built before forking; the first query builds it")
    finally:
        from django.db import connections

        connections.close_all()  # never share a connection with the forked workers


def when_ready(server: Any) -> None:
    _build_in_master("start")


def on_reload(server: Any) -> None:
    _build_in_master("reload")


def post_worker_init(worker: Any) -> None:
    try:
        from django.db import connection

        from zhengwu.catalog.search import get_index

        index = get_index()
        connection.close()  # the request cycle opens its own
        log.info("search index ready in worker %s (generation %s)", worker.pid,
                 index.generation)
    except Exception:  # a cold index is no reason to refuse to serve
        log.exception("search index not built before serving; the first query builds it")
