"""Excel exports: generators of rows rendered by one streaming writer.

The writer is xlsxwriter in constant_memory mode (rows go to disk as they come, so an
export of a million cards needs no more memory than one of ten). Text is always
written as text: a value starting with = + - @ (or a tab / carriage return) gets
Excel's quote prefix, so it shows and stays as typed and never runs as a formula.
Money and coordinates are numbers: the Decimal becomes a float only in the cell, with
a 0.00 (0.000000) number format; amounts of 12 digits are exact in a double, so the
value read back is the Decimal that was written.
"""

import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone

from kehu.imports.columns import EXPORT_HEADERS, zh_labels
from kehu.models import KeyPerson, Retailer

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMATS = {2: "0.00", 6: "0.000000"}


@dataclass(frozen=True)
class Number:
    """A cell value written as a number with `places` decimals shown."""

    value: Decimal
    places: int = 2


class SheetWriter:
    """Write rows of str / int / float / Decimal / Number / date / bool / None into one
    worksheet, in order, with text neutralised against formula injection."""

    def __init__(self, workbook: xlsxwriter.Workbook, name: str, *, header_format=None):
        self.workbook = workbook
        self.sheet = workbook.add_worksheet(name)
        self.quoted = workbook.add_format({"quote_prefix": True})
        self.numbers = {places: workbook.add_format({"num_format": fmt})
                        for places, fmt in NUMBER_FORMATS.items()}
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.header_format = header_format or workbook.add_format({"bold": True})

    def header(self, row: int, values: list[str], start_col: int = 0) -> None:
        for col, value in enumerate(values, start=start_col):
            self.write_text(row, col, value, self.header_format)

    def write_text(self, row: int, col: int, value: str, cell_format=None) -> None:
        if value.startswith(FORMULA_STARTS):
            cell_format = self.quoted
        self.sheet.write_string(row, col, value, cell_format)

    def write(self, row: int, col: int, value) -> None:
        if value is None or value == "":
            return
        if isinstance(value, str):
            self.write_text(row, col, value)
        elif isinstance(value, bool):
            self.sheet.write_boolean(row, col, value)
        elif isinstance(value, Number):
            self.sheet.write_number(row, col, float(value.value), self.numbers[value.places])
        elif isinstance(value, Decimal):
            self.sheet.write_number(row, col, float(value), self.numbers[2])
        elif isinstance(value, (int, float)):
            self.sheet.write_number(row, col, value)
        elif isinstance(value, datetime):
            self.sheet.write_datetime(row, col, timezone.make_naive(value)
                                      if timezone.is_aware(value) else value, self.datetime)
        elif isinstance(value, date):
            self.sheet.write_datetime(row, col, datetime(value.year, value.month, value.day),
                                      self.date)
        else:
            self.write_text(row, col, str(value))

    def row(self, row: int, values: Iterable, start_col: int = 0) -> None:
        for col, value in enumerate(values, start=start_col):
            self.write(row, col, value)


def new_workbook(path) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                           "strings_to_formulas": False,
                                           "strings_to_numbers": False,
                                           "strings_to_urls": False})


def write_rows(path, sheet_name: str, headers: list[str], rows: Iterable[Iterable]) -> int:
    """A one-sheet workbook at `path`; returns the number of data rows."""
    workbook = new_workbook(path)
    writer = SheetWriter(workbook, sheet_name)
    writer.header(0, headers)
    count = 0
    for count, values in enumerate(rows, start=1):
        writer.row(count, values)
    writer.sheet.freeze_panes(1, 0)
    workbook.close()
    return count


def spooled_xlsx(sheet_name: str, headers: list[str], rows: Iterable[Iterable]):
    """The workbook in an open temporary file, positioned at its start (it disappears
    when closed)."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - returned open
    write_rows(handle.name, sheet_name, headers, rows)
    handle.seek(0)
    return handle


# Retailers in the import layout ------------------------------------------------------

EXPORT_VALUES = ("code", "name", "licence_no", "business_type", "trade_area", "address",
                 "area__code", "assigned_rep__username", "latitude", "longitude", "status",
                 "credit_limit", "order_channel", "e_settlement", "duplicate_reason")


def retailer_export_rows(queryset: QuerySet[Retailer]) -> Iterator[list]:
    """One list per card, in the column order of `EXPORT_HEADERS` (the import layout:
    choices as their zh-hans labels, 是/否, area code and rep username)."""
    labels = {name: dict(zh_labels(choices)) for name, choices in (
        ("business_type", Retailer.BusinessType), ("trade_area", Retailer.TradeArea),
        ("status", Retailer.Status), ("order_channel", Retailer.OrderChannel))}
    rows = queryset.order_by("code").values_list(*EXPORT_VALUES)
    for (code, name, licence, business_type, trade_area, address, area_code, rep, lat, lng,
         status, credit, channel, e_settlement, reason) in rows.iterator(chunk_size=2000):
        yield [
            code, name, licence, labels["business_type"].get(business_type, business_type),
            labels["trade_area"].get(trade_area, trade_area), address, area_code, rep or "",
            None if lat is None else Number(lat, 6), None if lng is None else Number(lng, 6),
            labels["status"].get(status, status), Number(credit, 2),
            labels["order_channel"].get(channel, channel), "是" if e_settlement else "否",
            reason,
        ]


def retailer_export(queryset: QuerySet[Retailer]):
    """The retailers as an open temporary .xlsx file."""
    return spooled_xlsx("客户", EXPORT_HEADERS, retailer_export_rows(queryset))


# Key persons (personal data: only for those who may see it, see kehu.privacy) ---------

KEY_PERSON_HEADERS = ["客户编码", "客户名称", "关键人角色", "姓名", "电话", "生日", "农历生日",
                      "家庭情况", "兴趣爱好", "备注"]


def key_person_export_rows(people: Iterable[KeyPerson]) -> Iterator[list]:
    roles = dict(zh_labels(KeyPerson.PersonRole))
    for person in people:
        lunar = ""
        if person.birthday_is_lunar and person.lunar_month:
            leap = "闰" if person.lunar_leap_month else ""
            lunar = f"{leap}{person.lunar_month}月{person.lunar_day}日"
        yield [person.retailer.code, person.retailer.name, roles.get(person.role, person.role),
               person.name, person.phone, person.birthday, lunar, person.family,
               person.interests, person.notes]


def key_person_export(people: list[KeyPerson]):
    return spooled_xlsx("关键人", KEY_PERSON_HEADERS, key_person_export_rows(people))
