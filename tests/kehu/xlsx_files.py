"""Workbooks for import tests, written with openpyxl as Excel users would make them."""

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

FACT_HEADERS = ["客户编码", "月份", "采购金额", "采购数量", "回款金额", "订货成功率(%)",
                "电子结算率(%)"]
RETAILER_HEADERS = ["客户编码", "客户名称", "许可证号", "业态", "商圈", "地址", "片区编码",
                    "客户经理账号", "纬度", "经度", "状态", "信用额度", "订货渠道", "电子结算"]


def xlsx_bytes(headers: list, rows: list[list], *, start: str = "A1") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    first_row = int("".join(ch for ch in start if ch.isdigit()))
    first_col = ord(start[0]) - 64
    for offset, values in enumerate([headers, *rows]):
        for col, value in enumerate(values):
            if value is not None:
                sheet.cell(row=first_row + offset, column=first_col + col, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "data.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def facts_file(rows: list[list], headers=FACT_HEADERS, **kwargs) -> SimpleUploadedFile:
    return upload(xlsx_bytes(headers, rows, **kwargs), "facts.xlsx")


def fact_row(code: str, month="2026-10", amount=1000, quantity=10, collected=900,
             success=95.5, e_settlement=80) -> list:
    return [code, month, amount, quantity, collected, success, e_settlement]


def zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def retailer_row(code: str, area_code: str, *, name="华联超市", licence="", business=None,
                 trade=None, address="中山北路100号", rep="", lat=None, lng=None, status=None,
                 credit=5000, channel=None, e_settlement="是") -> list:
    from kehu.models import Retailer

    return [code, name, licence, zh(business or Retailer.BusinessType.SUPERMARKET.label),
            zh(trade or Retailer.TradeArea.RESIDENTIAL.label), address, area_code, rep, lat, lng,
            zh(status or Retailer.Status.ACTIVE.label), credit,
            zh(channel or Retailer.OrderChannel.PHONE.label), e_settlement]


def retailers_file(rows: list[list], headers=RETAILER_HEADERS) -> SimpleUploadedFile:
    return upload(xlsx_bytes(headers, rows), "retailers.xlsx")


OCTOBER = date(2026, 10, 1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads and error reports go to a temporary folder, not the project's media/."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings.MEDIA_ROOT


def workbook_with(sheet_xml: bytes, sheet_path="xl/worksheets/sheet1.xml") -> bytes:
    """A minimal workbook whose first sheet is `sheet_xml` (as other writers make them)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", (
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="数据" sheetId="1" r:id="rId7"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId7" Type="worksheet" '
            f'Target="/{sheet_path}"/></Relationships>'))
        archive.writestr(sheet_path, sheet_xml)
    return buffer.getvalue()
