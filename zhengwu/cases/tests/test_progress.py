"""The public progress lookup (issue 8 finding 7): POST only, page and API share one limit of
misses per client address (429 + Retry-After), the limit holds exactly under concurrency, and
no log line carries the ID number or the applicant's name.
"""

import datetime as dt
import logging
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from zhengwu.cases import selectors
from zhengwu.cases.progress import PROGRESS_RULE
from zhengwu.cases.services import MoveIn, case_transition
from zhengwu.cases.tests.conftest import FORM
from zhengwu.core.management.commands import serve

API = "/api/v1/cases/progress"
PAGE = "/cases/progress/"
FULL_ID = FORM["id_number"]
MISS = {"number": "43048120250926999999", "id_number": "43048119900101123X"}
MOMENT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def ask_api(client, body, address="203.0.113.30"):
    return client.post(API, body, content_type="application/json", REMOTE_ADDR=address)


def ask_page(client, body, address="203.0.113.30"):
    return client.post(PAGE, body, REMOTE_ADDR=address)


@pytest.fixture
def evaluated(monkeypatch):
    """How many lookups reached the database (thread-safe)."""
    calls: list[str] = []
    lock = threading.Lock()
    original = selectors.progress_lookup

    def counted(**kwargs):
        with lock:
            calls.append(kwargs["number"])
        return original(**kwargs)

    monkeypatch.setattr(selectors, "progress_lookup", counted)
    return calls


@pytest.mark.django_db
def test_the_api_takes_the_id_number_in_a_post_body_only(evaluated):
    client = Client()
    query = f"{API}?number={MISS['number']}&id_number={MISS['id_number']}"
    assert client.get(query).status_code in (404, 405, 422)
    assert not evaluated  # a GET never looks up
    assert ask_api(client, MISS).status_code == 404
    assert len(evaluated) == 1


@pytest.mark.django_db
def test_page_and_api_share_one_limit_with_retry_after(evaluated):
    assert PROGRESS_RULE.limit == 20
    with time_machine.travel(MOMENT, tick=False):
        client = Client()
        answers = [ask_page(client, MISS).status_code for _ in range(10)]
        answers += [ask_api(client, MISS).status_code for _ in range(10)]
        assert answers == [200] * 10 + [404] * 10
        for refused in (ask_page(client, MISS), ask_api(client, MISS)):
            assert refused.status_code == 429
            assert int(refused["Retry-After"]) == 600
        api = ask_api(client, MISS)
        assert api.json() == {"code": "too_many_requests", "detail": "查询次数过多，请稍后再试。"}
        assert "查询次数过多" in ask_page(client, MISS).content.decode()
        assert len(evaluated) == 20
        # Another address is not held.
        assert ask_api(client, MISS, address="198.51.100.30").status_code == 404
    with time_machine.travel(MOMENT + dt.timedelta(seconds=601), tick=False):
        assert ask_api(Client(), MISS).status_code == 404


@pytest.mark.django_db
def test_a_found_case_does_not_count(food, submit, clerk):
    case = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn("accept"))
    found = {"number": case.number, "id_number": FULL_ID}
    client = Client()
    for _ in range(19):
        ask_api(client, MISS)
    for _ in range(5):
        assert ask_api(client, found).status_code == 200
        assert ask_page(client, found).status_code == 200
    assert ask_api(client, MISS).status_code == 404  # the 20th miss
    assert ask_api(client, found).status_code == 429


@pytest.mark.django_db
def test_no_log_line_carries_the_id_number_or_the_name(food, submit, clerk, caplog):
    case = case_transition(case_id=submit(food).pk, user=clerk, move=MoveIn("accept"))
    client = Client()
    with caplog.at_level(logging.DEBUG):
        found = {"number": case.number, "id_number": FULL_ID}
        assert ask_api(client, found).status_code == 200
        assert ask_page(client, found).status_code == 200
        ask_api(client, {"number": "x", "id_number": FULL_ID})  # 422
        client.get(f"{API}?number={case.number}&id_number={FULL_ID}")
        for _ in range(21):
            ask_api(client, {**MISS, "id_number": FULL_ID})
            ask_page(client, {**MISS, "id_number": FULL_ID})
    # Each record as the configured handler writes it (config/settings/base.py, LOGGING).
    formatter = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"])
    lines = [formatter.format(record) for record in caplog.records]
    assert lines  # Django logs the 4xx answers …
    for line in lines:  # … without the ID number (any case) or the name
        assert FULL_ID not in line.upper()
        assert FORM["applicant_name"] not in line
    # gunicorn's access log line: method, path and status, never the query string or referer.
    assert "%(U)s" in serve.ACCESS_LOG_FORMAT
    for atom in ("%(r)s", "%(q)s", "%(f)s", "%(u)s"):
        assert atom not in serve.ACCESS_LOG_FORMAT


# --- the limit is atomic across connections (issue 8 finding 7: 28 of 60 got through) --------


@pytest.mark.django_db(transaction=True)
def test_sixty_concurrent_misses_evaluate_exactly_the_limit(evaluated):
    """60 misses at once from one address, half on the page and half on the API, each request
    on its own database connection (the real SQLite file): exactly 20 are looked up."""
    clients = [Client() for _ in range(60)]
    barrier = threading.Barrier(len(clients))
    statuses: list[object] = []

    def miss(n: int, client: Client) -> None:
        try:
            barrier.wait()
            ask = ask_page if n % 2 else ask_api
            statuses.append(ask(client, MISS, address="203.0.113.77").status_code)
        except Exception as error:  # reported by the assertion below
            statuses.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=miss, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(evaluated) == PROGRESS_RULE.limit
    assert sorted(str(status) for status in statuses).count("429") == 40, statuses
    assert reverse("cases:progress") == PAGE
