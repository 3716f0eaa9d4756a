"""The unified transaction code (统一交易编码, C1): {letter}{region}{year}{sequence}."""

import threading

import pytest
import time_machine
from django.db import connection, transaction

from catalog.models import Category, TransactionCodeCounter
from catalog.transaction_codes import (
    next_transaction_code,
    parse_transaction_code,
)
from portal.errors import ApplicationError
from tests import factories


@pytest.mark.django_db
def test_codes_follow_the_format_and_count_up(engineering, zhangzhou):
    first = next_transaction_code(category=engineering, region=zhangzhou, year=2026)
    second = next_transaction_code(category=engineering, region=zhangzhou, year=2026)
    assert first == "A3506002026000001"
    assert second == "A3506002026000002"
    assert len(first) == 17
    parsed = parse_transaction_code(second)
    assert (parsed.letter, parsed.region_code, parsed.year, parsed.sequence) == (
        "A",
        "350600",
        2026,
        2,
    )
    assert str(parsed) == second


@pytest.mark.django_db
def test_each_letter_region_and_year_has_its_own_sequence(engineering, procurement, zhangzhou):
    fujian = zhangzhou.parent
    assert next_transaction_code(category=procurement, region=zhangzhou, year=2026) == (
        "B3506002026000001"
    )
    assert next_transaction_code(category=procurement, region=zhangzhou, year=2026, letter="C") == (
        "C3506002026000001"
    )
    assert next_transaction_code(category=engineering, region=fujian, year=2026) == (
        "A3500002026000001"
    )
    assert next_transaction_code(category=engineering, region=zhangzhou, year=2027) == (
        "A3506002027000001"
    )


@pytest.mark.django_db
def test_the_year_defaults_to_the_current_year_in_beijing(engineering, zhangzhou):
    # 31 Dec 2026 17:00 UTC is already 1 Jan 2027 in Beijing.
    with time_machine.travel("2026-12-31T17:00:00Z", tick=False):
        code = next_transaction_code(category=engineering, region=zhangzhou)
    assert code == "A3506002027000001"


@pytest.mark.django_db
def test_a_letter_the_category_does_not_allow_is_refused(engineering, zhangzhou):
    with pytest.raises(ApplicationError) as raised:
        next_transaction_code(category=engineering, region=zhangzhou, year=2026, letter="C")
    assert raised.value.code == "code_letter_invalid"
    assert "letter" in raised.value.fields


@pytest.mark.django_db
def test_a_rolled_back_registration_gives_its_number_back(engineering, zhangzhou):
    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        next_transaction_code(category=engineering, region=zhangzhou, year=2026)
        raise Abandoned
    assert next_transaction_code(category=engineering, region=zhangzhou, year=2026) == (
        "A3506002026000001"
    )


@pytest.mark.django_db
def test_an_exhausted_sequence_is_refused(engineering, zhangzhou):
    TransactionCodeCounter.objects.create(letter="A", region=zhangzhou, year=2026, last=999_999)
    with pytest.raises(ApplicationError) as raised:
        next_transaction_code(category=engineering, region=zhangzhou, year=2026)
    assert raised.value.code == "code_sequence_exhausted"


@pytest.mark.parametrize(
    "code", ["", "A350600202600001", "13506002026000001", "A35060020260000O1", "A35060020260000012"]
)
def test_parse_refuses_what_is_not_a_code(code):
    with pytest.raises(ValueError):
        parse_transaction_code(code)


def test_parse_accepts_a_code_typed_in_lower_case_with_spaces_around():
    assert str(parse_transaction_code(" a3506002026000001 ")) == "A3506002026000001"


@pytest.mark.django_db(transaction=True)
def test_codes_are_unique_and_gapless_under_concurrency():
    """Eight threads, each with its own PostgreSQL connection, race for the same counter from
    the moment it does not exist yet."""
    region = factories.CityFactory(code="350681", name="龙海区", level="county")
    category = Category.objects.create(
        code="concurrency_probe",
        name="并发测试",
        transaction_code_letter="Z",
        supervising_department="finance",
    )
    threads_count, per_thread = 8, 25
    start = threading.Barrier(threads_count)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work():
        try:
            start.wait()
            mine = [
                next_transaction_code(category=category, region=region, year=2026)
                for _ in range(per_thread)
            ]
            with lock:
                results.extend(mine)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = threads_count * per_thread
    assert len(results) == total
    assert len(set(results)) == total
    assert sorted(parse_transaction_code(code).sequence for code in results) == list(
        range(1, total + 1)
    )
    assert all(code.startswith("Z3506812026") for code in results)
    assert TransactionCodeCounter.objects.get(letter="Z", region=region, year=2026).last == total
