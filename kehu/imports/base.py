"""What both imports share: headers, cell parsing in chunks, the error list, the run.

An import reads the whole sheet, checks every row (collecting every problem with its
Excel row number, column header and a translated reason) and only when nothing is
wrong writes everything in one transaction.
"""

import contextlib
import gc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from django.utils.translation import gettext as _

from accounts.models import OrgNode, User
from kehu.imports import cells, reader
from kehu.imports.columns import ERROR_HEADER, Column, normalise_header

CHUNK_ROWS = 2000


@dataclass
class RowError:
    row: int | None  # as Excel shows it; None for the file as a whole
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


NOTHING_FAILED: frozenset = frozenset()


@dataclass(slots=True)
class Record:
    row: int  # Excel row number
    values: dict  # key → parsed value, only for cells that parsed and were not empty
    bad: bool  # some cell of the row is wrong
    failed: set | frozenset = NOTHING_FAILED  # keys of the wrong cells


@dataclass
class Outcome:
    errors: list[RowError] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    sheet: reader.Sheet | None = None
    rows: int = 0


class Importer:
    """Subclasses say which columns they read, check a chunk of parsed rows against the
    database (`feed`), check what needs every row (`finish`) and write (`write`)."""

    kind = ""

    def __init__(self, *, actor: User, company: OrgNode, batch_id: int | None = None):
        self.actor = actor
        self.company = company
        self.batch_id = batch_id
        self.errors: list[RowError] = []
        self.columns: list[Column] = []
        self.present: set[str] = set()

    def error(self, row: int | None, key_or_header: str, message: str) -> None:
        header = next((c.header for c in self.columns if c.key == key_or_header),
                      key_or_header)
        self.errors.append(RowError(row, header, message))

    lookup_keys: tuple[str, ...] = ()

    def prepare(self, values: dict[str, set]) -> None:
        """Lookups for the whole file before the first `feed`: the distinct parsed
        values of the `lookup_keys` columns."""

    def feed(self, records: list[Record]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Checks that need every row of the file (after the last `feed`)."""

    def write(self) -> dict:
        raise NotImplementedError

    def close(self) -> None:
        """After the run, written or not (e.g. roll back what was written ahead)."""


def map_headers(importer: Importer, header_row: list, excel_row: int) -> dict[int, Column]:
    """Column index → Column; missing required and unknown headers become errors."""
    by_header = {normalise_header(c.header): c for c in importer.columns}
    mapping: dict[int, Column] = {}
    unknown = []
    for index, value in enumerate(header_row):
        header = normalise_header(value)
        if not header or header == ERROR_HEADER:
            continue
        column = by_header.get(header)
        if column is None:
            unknown.append(cells.as_text(value))
        elif column in mapping.values():
            importer.error(excel_row, column.header, _("This column appears twice."))
        else:
            mapping[index] = column
    found = {c.key for c in mapping.values()}
    missing = [c.header for c in importer.columns if c.required and c.key not in found]
    if missing:
        importer.errors.append(RowError(excel_row, "、".join(missing), _(
            "Missing columns: %(columns)s. Download the template to see the layout.")
            % {"columns": "、".join(missing)}))
    for header in unknown:
        importer.errors.append(RowError(excel_row, header, _(
            "Unknown column “%(column)s”. Download the template to see the layout.")
            % {"column": header}))
    importer.present = found
    return mapping


class _Failure:
    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


_EMPTY, _MISSING = object(), object()


def _parsed(parse, value):
    """parse(value), or a _Failure with the reason."""
    try:
        return parse(value)
    except cells.CellError as exc:
        return _Failure(str(exc))


class Parser:
    """Parses the sheet's rows column by column: each column's parser runs once per
    distinct text (labels, area codes, usernames and yes/no repeat on every row).
    `distinct` parses a few columns of every row up front (for the importer's lookups);
    `chunks` then yields the parsed rows in chunks, cell errors going to the importer
    row by row in column order, as a cell-by-cell pass would report them."""

    def __init__(self, importer: Importer, sheet: reader.Sheet, mapping: dict[int, Column],
                 formulas: set[tuple[int, int]]):
        self.importer, self.rows = importer, sheet.rows
        rows = sheet.rows
        width = len(rows[0]) if rows else 0
        self.positions = []
        for position in range(1, len(rows)):
            raw = rows[position]
            blanks = raw.count("")
            if blanks == width or (blanks * 2 >= width and all(cells.is_empty(v) for v in raw)):
                continue
            self.positions.append(position)
        self.excel_row = sheet.excel_row
        self.formulas: dict[int, set[int]] = {}
        for position, index in formulas:
            self.formulas.setdefault(index, set()).add(position)
        self.spec = sorted(mapping.items(), key=lambda item: not item[1].required)
        self.texts: dict[int, dict[str, object]] = {index: {} for index in mapping}
        # Plain text columns (cells.text): their text cells are checked inline, uncached
        # (codes, names, addresses are mostly distinct).
        self.limits = {index: column.parse.keywords["max_length"]
                       for index, column in mapping.items()
                       if isinstance(column.parse, partial) and column.parse.func is cells.text
                       and not column.parse.args}

    def _result(self, index: int, parse, value):
        if type(value) is str:
            texts = self.texts[index]
            result = texts.get(value, _MISSING)
            if result is _MISSING:
                result = _parsed(parse, value) if value.strip() else _EMPTY
                texts[value] = result
            return result
        if value is None:
            return _EMPTY
        return _parsed(parse, value)

    def distinct(self, keys) -> dict[str, set]:
        """The distinct values that parse, of the columns with these keys, over every
        row (formula cells included: a superset is harmless for lookups)."""
        found: dict[str, set] = {}
        rows, result = self.rows, self._result
        for index, column in self.spec:
            if column.key in keys:
                values = {result(index, column.parse, rows[p][index]) for p in self.positions}
                found[column.key] = {v for v in values
                                     if v is not _EMPTY and type(v) is not _Failure}
        return found

    def chunks(self) -> Iterator[list[Record]]:
        for start in range(0, len(self.positions), CHUNK_ROWS):
            yield self._parse(self.positions[start:start + CHUNK_ROWS])

    def _parse(self, positions: list[int]) -> list[Record]:
        rows, excel_row, result_of = self.rows, self.excel_row, self._result
        records = [Record(excel_row(position), {}, False) for position in positions]
        error = self.importer.error
        for index, column in self.spec:
            key, parse, required, header = column.key, column.parse, column.required, \
                column.header
            in_formula = self.formulas.get(index, ())
            texts = self.texts[index]
            limit = self.limits.get(index)
            for position, record in zip(positions, records, strict=True):
                value = rows[position][index]
                if type(value) is not str:
                    result = result_of(index, parse, value)
                elif limit is not None:  # cells.text, inline
                    result = value.strip()
                    if not result:
                        result = _EMPTY
                    elif len(result) > limit:
                        result = _parsed(parse, value)
                else:
                    result = texts.get(value, _MISSING)
                    if result is _MISSING:
                        result = result_of(index, parse, value)
                if in_formula and position in in_formula:
                    result = None
                elif result is _EMPTY:
                    if not required:
                        continue
                    error(record.row, header, _("This cell must not be empty."))
                    result = None
                elif type(result) is _Failure:
                    error(record.row, header, result.message)
                    result = None
                else:
                    record.values[key] = result
                    continue
                if record.failed is NOTHING_FAILED:
                    record.failed = set()
                record.failed.add(key)
                record.bad = True
        return records


def parse_rows(importer: Importer, sheet: reader.Sheet, mapping: dict[int, Column],
               formulas: set[tuple[int, int]]) -> Iterator[list[Record]]:
    """Parsed rows in chunks; cell errors go to the importer. Empty rows are skipped."""
    return Parser(importer, sheet, mapping, formulas).chunks()


def formula_errors(importer: Importer, sheet: reader.Sheet, mapping: dict[int, Column],
                   formulas: list[tuple[int, str]]) -> set[tuple[int, int]]:
    """One error per formula cell; returns their (sheet position, column index)."""
    letters = {reader.column_letters(sheet.start_col + index): index
               for index in range(len(sheet.rows[0]) if sheet.rows else 0)}
    positions = set()
    for excel_row, letter in formulas:
        index = letters.get(letter)
        column = mapping.get(index)
        header = column.header if column else letter
        importer.errors.append(RowError(excel_row, header, _(
            "Cell %(cell)s holds a formula. Paste values only (Paste Special → Values).")
            % {"cell": f"{letter}{excel_row}"}))
        if index is not None:
            positions.add((excel_row - sheet.start_row - 1, index))
    return positions


@contextlib.contextmanager
def collections_deferred():
    """Python's cyclic garbage collector off while the sheet is read and its rows are
    checked: the sheet, the records and the plans are hundreds of thousands of live
    containers that every collection would walk again (0.4-0.9 s of a 100,000-row
    import's Python time, measured with gc.callbacks). Back on, what was allocated
    meanwhile goes straight to the oldest generation (gc.freeze, then gc.unfreeze: two
    list moves) instead of being walked by the young generations' next collections.
    Nothing is leaked: objects are still freed by reference counting, and the cycles
    left over are collected by the next full collection."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def run(importer: Importer, path, *, progress: Callable[[int, int], None]) -> Outcome:
    """Check the whole file; when it is clean, write it. Never writes half a file."""
    try:
        return _run(importer, path, progress=progress)
    finally:
        importer.close()


def _run(importer: Importer, path, *, progress: Callable[[int, int], None]) -> Outcome:
    outcome = Outcome()
    with collections_deferred():
        total = _check(importer, path, outcome, progress)
    if total is None:
        outcome.errors = importer.errors
        return outcome
    progress(total, total)
    if not outcome.rows and not importer.errors:
        importer.errors.append(RowError(None, "", _("The file has no data rows.")))
    outcome.errors = sorted(importer.errors, key=lambda e: (e.row or 0))
    if outcome.errors:
        return outcome
    outcome.counts = importer.write()
    return outcome


def _check(importer: Importer, path, outcome: Outcome,
           progress: Callable[[int, int], None]) -> int | None:
    """Read and check the whole file; the number of data rows, or None when the file
    or its header row is wrong (nothing more to check)."""
    # The formula scan (zlib and bytes searches) runs beside calamine's read, which
    # releases the GIL: ~0.15 s of a 100,000-row file off the wall time.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kehu-import-formulas") as pool:
        scan = pool.submit(reader.formula_cells, path)
        try:
            sheet = reader.read_sheet(path)
        finally:
            formulas = scan.result()  # its NotExcel first, as before
    outcome.sheet = sheet
    if len(sheet.rows) < 2:
        importer.errors.append(RowError(None, "", _("The file has no data rows.")))
        return None
    header_row = sheet.excel_row(0)
    mapping = map_headers(importer, sheet.rows[0], header_row)
    positions = formula_errors(importer, sheet, mapping, formulas)
    if any(error.row == header_row for error in importer.errors):
        return None
    total = len(sheet.rows) - 1
    progress(0, total)
    parser = Parser(importer, sheet, mapping, positions)
    importer.prepare(parser.distinct(importer.lookup_keys))
    for chunk in parser.chunks():
        importer.feed(chunk)
        outcome.rows += len(chunk)
        progress(chunk[-1].row - sheet.start_row - 1, total)
    importer.finish()
    return total


class ImportConflict(Exception):
    """The database changed under a checked file; `str(error)` is the translated reason."""
