"""Cells as python-calamine hands them over, turned into values or translated reasons."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from kehu.imports import cells
from kehu.imports.columns import choice_parser
from kehu.models import Retailer


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_codes_and_phones_typed_as_numbers_come_back_as_text():
    assert cells.as_text(13800138000.0) == "13800138000"
    assert cells.as_text(320106100123.0) == "320106100123"
    assert cells.as_text(12.5) == "12.5"
    assert cells.as_text("  R001 ") == "R001"
    assert cells.as_text(datetime(2026, 10, 1)) == "2026-10-01"


def test_money_is_a_decimal_with_two_places():
    assert cells.money(12800.5) == Decimal("12800.50")
    assert cells.money("1,234.5") == Decimal("1234.50")
    assert cells.money(0) == Decimal("0.00")
    assert str(cells.money(9999999999.99)) == "9999999999.99"


def test_float_noise_is_not_a_third_decimal():
    assert cells.money(0.1 + 0.2) == Decimal("0.30")


@pytest.mark.parametrize(("value", "reason"), [
    (12.345, "At most 2 decimal places"),
    (-1, "Must not be negative"),
    ("abc", "is not a number"),
    ("", "is not a number"),
    (True, "is not a number"),
    (datetime(2026, 1, 1), "is not a number"),
    (1e13, "too large"),
])
def test_bad_money_is_refused_with_a_reason(value, reason):
    with pytest.raises(cells.CellError, match=reason):
        cells.money(value)


def test_percent_takes_points_or_a_percent_sign_and_stays_within_100():
    assert cells.percent(95.5) == Decimal("95.50")
    assert cells.percent("80%") == Decimal("80.00")
    with pytest.raises(cells.CellError, match="at most 100"):
        cells.percent(101)


@pytest.mark.parametrize("value", [
    "2026-10", "2026/10", "2026.10", "2026年10月", "2026-10-15", " 2026-10 ", 202610,
    202610.0, date(2026, 10, 31), datetime(2026, 10, 1, 8, 30),
])
def test_a_month_is_read_from_text_dates_and_yyyymm(value):
    assert cells.month(value) == date(2026, 10, 1)


@pytest.mark.parametrize("value", ["2026-13", "10/2026", "next month", 46296.0, 2026])
def test_what_is_not_a_month_is_refused(value):
    with pytest.raises(cells.CellError, match="not a month"):
        cells.month(value)


def test_yes_and_no_accept_chinese_and_booleans():
    assert cells.yes_no("是") is True and cells.yes_no("否") is False
    assert cells.yes_no(True) is True and cells.yes_no(0.0) is False
    with pytest.raises(cells.CellError, match="是 or 否"):
        cells.yes_no("maybe")


def test_choices_take_the_chinese_label_the_english_label_or_the_code():
    parse = choice_parser(Retailer.BusinessType)
    assert parse("便利店") == "convenience"
    assert parse("Convenience store") == "convenience"
    assert parse("CONVENIENCE") == "convenience"
    with pytest.raises(cells.CellError, match="便利店、超市"):
        parse("小卖部")


def test_text_longer_than_its_column_is_refused():
    with pytest.raises(cells.CellError, match="At most 3 characters"):
        cells.text("abcd", max_length=3)
