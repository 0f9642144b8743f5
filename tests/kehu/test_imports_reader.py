"""Opening uploads: the .xlsx sniff, the size limit, formulas found in the sheet XML."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import Workbook

from kehu.imports import reader
from tests.kehu.xlsx_files import upload, workbook_with, xlsx_bytes


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_an_openpyxl_workbook_passes_the_sniff():
    reader.check_upload(upload(xlsx_bytes(["a"], [[1]])))


@pytest.mark.parametrize("content", [
    b"", b"plain text renamed", "客户编码,月份\n".encode("gbk"), b"\xd0\xcf\x11\xe0 old xls",
])
def test_what_is_not_a_zip_is_not_an_excel_file(content):
    with pytest.raises(ValidationError, match="not an Excel workbook"):
        reader.check_upload(upload(content))


def test_a_zip_without_a_workbook_is_not_an_excel_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")

    with pytest.raises(ValidationError, match="not an Excel workbook"):
        reader.check_upload(upload(buffer.getvalue(), "report.xlsx"))


def test_the_size_limit_is_a_setting(settings):
    settings.KEHU_IMPORT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="the limit is 100"):
        reader.check_upload(upload(b"PK\x03\x04" + b"0" * 200))


def test_formulas_are_found_with_their_cells(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["客户编码", "采购金额"])
    sheet.append(["R1", "=1+1"])
    sheet.append(["R2", 5])
    sheet["B4"] = "=SUM(B2:B3)"
    sheet["AA2"] = "=B2"
    path = tmp_path / "f.xlsx"
    workbook.save(path)

    assert reader.formula_cells(path) == [(2, "B"), (2, "AA"), (4, "B")]


def test_shared_and_prefixed_formulas_are_found(tmp_path):
    xml = (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<x:sheetData><x:row r="2"><x:c r="C2" s="1"><x:f t="shared" ref="C2:C3" si="0">'
           b'A2*2</x:f><x:v>4</x:v></x:c></x:row><x:row r="3"><x:c r="C3"><x:f t="shared" '
           b'si="0"/><x:v>6</x:v></x:c><x:c r="D3" t="inlineStr"><x:is><x:t>=not a formula'
           b'</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>')
    path = tmp_path / "shared.xlsx"
    path.write_bytes(workbook_with(xml, "xl/sheets/data.xml"))

    assert reader.formula_cells(path) == [(2, "C"), (3, "C")]


def test_a_formula_across_a_chunk_boundary_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "CHUNK", 64)
    filler = b"".join(b'<c r="A%d"><v>1</v></c>' % n for n in range(1, 40))
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<sheetData><row r="1">' + filler + b'<c r="B1"><f>1+1</f></c></row></sheetData>'
           b'</worksheet>')
    path = tmp_path / "long.xlsx"
    path.write_bytes(workbook_with(xml))

    assert reader.formula_cells(path) == [(1, "B")]


def test_the_row_estimate_comes_from_the_dimension():
    assert reader.estimate_rows(upload(xlsx_bytes(["a", "b"], [[1, 2]] * 5))) == 5
    assert reader.estimate_rows(upload(workbook_with(b"<worksheet/>"))) is None


def test_column_letters_count_like_excel():
    assert [reader.column_letters(i) for i in (0, 25, 26, 701, 702)] == [
        "A", "Z", "AA", "ZZ", "AAA"]
