"""Opening an uploaded workbook: refuse what is not an .xlsx, find formulas, read rows.

Formulas are found in the worksheet XML itself: python-calamine returns only the
cached values and openpyxl would have to parse the whole sheet again (several times
slower). A formula cell is `<c r="B5"><f>…</f>…</c>` (the `f` element comes first in a
cell, per the SpreadsheetML schema), so one regular expression over the decompressed
XML stream finds every formula cell with its reference, at about the speed of unzip.
"""

import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

ZIP_MAGIC = b"PK\x03\x04"
MAX_BYTES = 50 * 1024 * 1024
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
FORMULA_CELL = re.compile(
    rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]+)"[^>]*>\s*<(?:\w+:)?f[\s>/]')
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]{0,3}([0-9]*):?[A-Z]{0,3}([0-9]*)"')
CHUNK = 1 << 20
OVERLAP = 1024  # longer than any cell start tag followed by <f


def max_bytes() -> int:
    return getattr(settings, "KEHU_IMPORT_MAX_BYTES", MAX_BYTES)


def not_excel() -> ValidationError:
    return ValidationError({"file": _(
        "This is not an Excel workbook (.xlsx). Save it as “Excel Workbook (*.xlsx)” and "
        "upload it again.")})


def too_big(size: int) -> ValidationError:
    return ValidationError({"file": _(
        "The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
        % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes())}})


class NotExcel(Exception):
    """The file passed the magic-number check but cannot be read as a workbook."""


def check_upload(upload) -> None:
    """Refuse a file over the size limit (before reading it) or one that is not an .xlsx
    (zip magic, then a workbook part inside the zip)."""
    if upload.size > max_bytes():
        raise too_big(upload.size)
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head != ZIP_MAGIC:
        raise not_excel()
    try:
        with zipfile.ZipFile(upload) as archive:
            first_sheet_member(archive)
    except (zipfile.BadZipFile, NotExcel, KeyError, ElementTree.ParseError):
        raise not_excel() from None
    finally:
        upload.seek(0)


def first_sheet_member(archive: zipfile.ZipFile) -> str:
    """The zip member holding the workbook's first sheet (the one calamine reads)."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise NotExcel
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{NS_MAIN}sheets/{NS_MAIN}sheet")
    if sheet is None:
        raise NotExcel
    rel_id = sheet.get(f"{NS_REL}id")
    target = None
    if "xl/_rels/workbook.xml.rels" in names:
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        for rel in rels.iter(f"{NS_PKG}Relationship"):
            if rel.get("Id") == rel_id:
                target = rel.get("Target")
    if target is None:
        raise NotExcel
    member = target.lstrip("/") if target.startswith("/") else \
        posixpath.normpath(posixpath.join("xl", target))
    if member not in names:
        raise NotExcel
    return member


def estimate_rows(upload) -> int | None:
    """Data rows according to the sheet's <dimension> (None when it does not say)."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive, \
                archive.open(first_sheet_member(archive)) as stream:
            head = stream.read(4096)
    except (zipfile.BadZipFile, NotExcel, KeyError, ElementTree.ParseError):
        return None
    finally:
        upload.seek(0)
    match = DIMENSION.search(head)
    if not match or not match[2]:
        return None
    return max(int(match[2]) - int(match[1] or 1), 0)


def formula_cells(path) -> list[tuple[int, str]]:
    """(Excel row, column letters) of every cell of the first sheet holding a formula."""
    found: set[tuple[int, str]] = set()
    try:
        with zipfile.ZipFile(path) as archive, \
                archive.open(first_sheet_member(archive)) as stream:
            tail = b""
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                data = tail + chunk
                # Cheap test first: most sheets have no "<f" (nor a prefixed ":f") at all.
                if b"<f" in data or b":f" in data:
                    for match in FORMULA_CELL.finditer(data):
                        found.add((int(match[2]), match[1].decode()))
                tail = data[-OVERLAP:]
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise NotExcel from exc
    return sorted(found, key=lambda cell: (cell[0], len(cell[1]), cell[1]))


@dataclass
class Sheet:
    """The first sheet's used area: rows of cell values, and where it starts (0-based
    row and column of Excel), so row i of `rows` is Excel row start_row + i + 1."""

    rows: list[list]
    start_row: int
    start_col: int

    def excel_row(self, index: int) -> int:
        return self.start_row + index + 1


def read_sheet(path) -> Sheet:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            sheet = workbook.get_sheet_by_index(0)
            rows = sheet.to_python(skip_empty_area=True)
            start = sheet.start or (0, 0)
        finally:
            workbook.close()
    except (CalamineError, ValueError, OSError) as exc:
        raise NotExcel from exc
    return Sheet(rows=rows, start_row=start[0], start_col=start[1])


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
