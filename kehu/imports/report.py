"""The error report (the uploaded rows, where they were, plus an error column) and the
downloadable templates."""

import tempfile
from collections import defaultdict

from django.utils.translation import gettext as _

from kehu.exports import SheetWriter, new_workbook
from kehu.imports.base import RowError
from kehu.imports.columns import ERROR_HEADER, columns_for, zh_labels
from kehu.imports.reader import Sheet
from kehu.models import Retailer


def error_report(sheet: Sheet, errors: list[RowError]):
    """An open temporary .xlsx: every row of the upload at its original place (so row
    numbers match), the reasons in a last column headed 错误说明. Fix the cells, and the
    file can be uploaded again as it is (that column is ignored)."""
    by_row: dict[int | None, list[str]] = defaultdict(list)
    for error in errors:
        text = f"{error.column}：{error.message}" if error.column else error.message
        by_row[error.row].append(text)
    width = max((len(row) for row in sheet.rows), default=0)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - returned open
    workbook = new_workbook(handle.name)
    writer = SheetWriter(workbook, _("Errors"))
    error_format = workbook.add_format({"font_color": "#b42318", "text_wrap": False})
    error_col = sheet.start_col + width
    for index, values in enumerate(sheet.rows):
        excel_row = sheet.excel_row(index)
        if index == 0:
            writer.header(excel_row - 1, [str(v) for v in values], sheet.start_col)
            writer.write_text(excel_row - 1, error_col, ERROR_HEADER, writer.header_format)
            if by_row.get(excel_row):
                writer.write_text(excel_row - 1, error_col + 1, "；".join(by_row[excel_row]),
                                  error_format)
            continue
        writer.row(excel_row - 1, values, sheet.start_col)
        if by_row.get(excel_row):
            writer.write_text(excel_row - 1, error_col, "；".join(by_row[excel_row]),
                              error_format)
    if by_row.get(None):
        last = sheet.excel_row(len(sheet.rows))
        writer.write_text(last, sheet.start_col, "；".join(by_row[None]), error_format)
    workbook.close()
    handle.seek(0)
    return handle


def _example(column) -> object:
    example = column.example
    for choices in (Retailer.BusinessType, Retailer.TradeArea, Retailer.Status,
                    Retailer.OrderChannel):
        if isinstance(example, choices):
            return dict(zh_labels(choices))[example.value]
    return example


def template(kind: str):
    """An open temporary .xlsx: the headers and one example row, and a second sheet
    explaining each column and its allowed values."""
    columns = columns_for(kind)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - returned open
    workbook = new_workbook(handle.name)
    writer = SheetWriter(workbook, "导入")
    writer.header(0, [c.header for c in columns])
    writer.row(1, [_example(c) for c in columns])
    writer.sheet.freeze_panes(1, 0)
    notes = SheetWriter(workbook, _("How to fill in"))
    notes.header(0, [_("Column"), _("Required"), _("What to write")])
    for row, column in enumerate(columns, start=1):
        notes.row(row, [column.header, _("Yes") if column.required else _("No"),
                        str(column_help(column.key))])
    workbook.close()
    handle.seek(0)
    return handle


def column_help(key: str) -> str:
    """What a column takes, for the template's second sheet."""
    choices = {"business_type": Retailer.BusinessType, "trade_area": Retailer.TradeArea,
               "status": Retailer.Status, "order_channel": Retailer.OrderChannel}
    if key in choices:
        return _("One of: %(choices)s") % {
            "choices": "、".join(label for _code, label in zh_labels(choices[key]))}
    return {
        "code": _("The retailer's code in the order system."),
        "month": _("The month, as YYYY-MM (e.g. 2026-10) or a date in that month."),
        "purchase_amount": _("Yuan, at most 2 decimals, not negative."),
        "purchase_quantity": _("At most 2 decimals, not negative."),
        "collected_amount": _("Yuan, at most 2 decimals, not negative."),
        "order_success_rate": _("Percent, 0–100 (95.5 means 95.5%)."),
        "e_settlement_rate": _("Percent, 0–100 (95.5 means 95.5%)."),
        "name": _("The shop's name."),
        "licence_no": _("6–30 digits, capital letters or province characters."),
        "address": _("Street address."),
        "area_code": _("The code of the area the shop belongs to."),
        "rep_username": _("The login name of the rep who serves the shop."),
        "latitude": _("WGS-84 degrees, as a phone's GPS gives them."),
        "longitude": _("WGS-84 degrees, as a phone's GPS gives them."),
        "credit_limit": _("Yuan, at most 2 decimals, not negative."),
        "e_settlement": _("是 or 否."),
        "person_name": _("New cards only: the owner's name."),
        "person_phone": _("New cards only: the owner's phone."),
        "duplicate_reason": _("Only when a new card looks like an existing shop: why it is a "
                              "different one."),
    }.get(key, "")
