"""gunicorn server hooks (`zhengwu serve` passes `--config python:config.gunicorn_hooks`).

post_worker_init: each worker builds the search index (catalog.search.get_index) after it has
loaded the application and before it takes its first request, so that the first citizen to
search after a start or a graceful reload (HUP: the old workers keep serving meanwhile) does
not wait for the build — ~1 s at province scale (issue 16, docs/benchmarks.md). A failure is
logged and the worker serves anyway: search then builds its index on the first query, as it
did before.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("zhengwu.search")


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
