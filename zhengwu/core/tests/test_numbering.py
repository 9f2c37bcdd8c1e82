"""core.numbering: the printed numbers keep their shape, one sequence per printed prefix,
distinct consecutive numbers under concurrent callers, and the move of the sequences from
cases to core keeps every value (migration cases 0005)."""

import datetime as dt
import re
import threading

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from zhengwu.core import numbering
from zhengwu.core.models import Counter

# Years and days no other test numbers in, so each test starts its sequences at 1.
YEAR = 2091
DAY = dt.date(2091, 11, 27)


@pytest.mark.django_db
def test_the_printed_numbers_keep_their_shape():
    assert numbering.case_number("430481000000", DAY) == "43048120911127000001"
    assert numbering.case_number("430481102000", DAY) == "43048120911127000002"  # per county
    assert numbering.case_number("430482000000", DAY) == "43048220911127000001"
    assert numbering.case_number("430481000000", DAY + dt.timedelta(days=1)) \
        == "43048120911128000001"
    assert numbering.bundle_number("430481000000", DAY) == "YJ43048120911127000001"
    assert numbering.bundle_number("430481000000", DAY) == "YJ43048120911127000002"
    assert numbering.joint_review_number(YEAR) == "LS2091000001"
    assert numbering.joint_review_number(YEAR) == "LS2091000002"
    assert numbering.document_number("耒政服", "受", YEAR) == "耒政服受〔2091〕1号"
    assert numbering.document_number("耒政服", "一件事结", YEAR) == "耒政服一件事结〔2091〕1号"
    assert numbering.document_number("耒政服", "联审", YEAR) == "耒政服联审〔2091〕1号"
    assert numbering.document_number("", "默", YEAR) == "政务默〔2091〕1号"


@pytest.mark.django_db
def test_one_sequence_per_printed_prefix_and_year():
    assert numbering.document_number("耒政服", "许", YEAR) == "耒政服许〔2091〕1号"
    assert numbering.document_number("耒政服", "许", YEAR) == "耒政服许〔2091〕2号"
    assert numbering.document_number("耒政服", "不许", YEAR) == "耒政服不许〔2091〕1号"
    assert numbering.document_number("耒市监", "许", YEAR) == "耒市监许〔2091〕1号"
    assert numbering.document_number("耒政服", "许", YEAR + 1) == "耒政服许〔2092〕1号"
    # A prefix and a mark that print as another pair does: the same sequence.
    assert numbering.document_number("耒政服不", "许", YEAR) == "耒政服不许〔2091〕2号"
    # No prefix prints 政务, and numbers as 政务 does.
    assert numbering.document_number("", "许", YEAR) == "政务许〔2091〕1号"
    assert numbering.document_number("政务", "许", YEAR) == "政务许〔2091〕2号"
    assert numbering.document_numbers("耒政服", "许", YEAR, 3) == [
        f"耒政服许〔2091〕{n}号" for n in (3, 4, 5)]
    assert numbering.document_numbers("耒政服", "许", YEAR, 0) == []
    assert numbering.document_number("耒政服", "许", YEAR) == "耒政服许〔2091〕6号"


def test_a_rolled_back_transaction_gives_its_number_back(db):
    def number_then_fail() -> None:
        with transaction.atomic():
            numbering.joint_review_number(YEAR + 5)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        number_then_fail()
    assert numbering.joint_review_number(YEAR + 5) == "LS2096000001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_get_distinct_consecutive_numbers():
    count = 24
    barrier = threading.Barrier(count)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                got = (numbering.case_number("430481000000", DAY) if n % 2
                       else numbering.document_number("耒政服", "受", YEAR))
            with lock:
                numbers.append(got)
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    cases = sorted(int(n[-6:]) for n in numbers if n.isdigit())
    documents = sorted(int(re.search(r"〕(\d+)号", n)[1]) for n in numbers if "〕" in n)
    assert cases == list(range(1, count // 2 + 1))
    assert documents == list(range(1, count // 2 + 1))


@pytest.mark.django_db(transaction=True)
def test_moving_the_sequences_to_core_keeps_every_value():
    """Migration cases 0005: case, bundle and joint-review scopes keep their names and values;
    文号 scopes go to their printed prefix, the larger value where two print alike."""
    old_state = [("cases", "0004_audit_seal"), ("core", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(old_state)
    try:
        apps = executor.loader.project_state(old_state).apps
        old_counter = apps.get_model("cases", "Counter")
        old_counter.objects.bulk_create([old_counter(scope=s, value=v) for s, v in [
            ("case:430481:20261127", 123), ("bundle:430481:20261127", 7),
            ("jointreview:2026", 12),
            ("notice:耒政服:acceptance:2026", 40), ("notice:耒政服:deemed:2026", 9),
            ("notice::grant:2026", 3),
            # 耒政服不 + 受 and 耒政服 + 不受 both print 耒政服不受.
            ("notice:耒政服不:acceptance:2026", 5), ("notice:耒政服:refusal:2026", 8),
            ("bundle_notice:耒政服:completion:2026", 4),
            ("jointreview-result:耒政服:2026", 2)]])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert dict(Counter.objects.values_list("scope", "value")) == {
        "case:430481:20261127": 123, "bundle:430481:20261127": 7, "jointreview:2026": 12,
        "document:耒政服受:2026": 40, "document:耒政服默:2026": 9, "document:政务许:2026": 3,
        "document:耒政服不受:2026": 8, "document:耒政服一件事结:2026": 4,
        "document:耒政服联审:2026": 2}
    # Numbering goes on where it stopped.
    assert numbering.case_number("430481000000", dt.date(2026, 11, 27)) \
        == "43048120261127000124"
    assert numbering.document_number("耒政服", "受", 2026) == "耒政服受〔2026〕41号"
    assert numbering.document_number("耒政服", "不受", 2026) == "耒政服不受〔2026〕9号"
