"""Retailer list: kehu's export layout, column for column (`kehu.imports.columns.
EXPORT_HEADERS`, rows from `kehu.exports.retailer_export_rows`), so the file goes back in
through the retailer import unchanged. One sheet 客户, header row frozen, ordered by code."""

from kehu import selectors
from kehu.exports import retailer_export_rows
from kehu.filters import RetailerFilterSet
from kehu.imports.columns import EXPORT_HEADERS
from reports.exports.base import SheetWriter, filterset_data

STEM = "retailers"
SHEET = "客户"


def clean_filters(*, user, data: dict) -> dict:
    """The retailer list's own filters (search, grade, business type, status, rep,
    area…), checked by its FilterSet."""
    return filterset_data(data, RetailerFilterSet)


def queryset(*, user, filters: dict):
    return RetailerFilterSet(filters, queryset=selectors.retailers_for_user(user)).qs


def count(*, user, filters: dict) -> int:
    return queryset(user=user, filters=filters).order_by().count()


def write(book, *, user, filters: dict, tick) -> int:
    writer = SheetWriter(book, SHEET)
    writer.header(0, EXPORT_HEADERS)
    writer.sheet.freeze_panes(1, 0)
    done = 0
    for done, values in enumerate(retailer_export_rows(queryset(user=user, filters=filters)),
                                  start=1):
        writer.row(done, values)
        tick(done)
    return done
