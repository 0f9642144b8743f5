"""Set-based writes. On PostgreSQL new rows are COPYed straight into their tables
(binary COPY; `copy_layout`, `history_layout`, ids reserved up front); rows that change
existing ones, and every row on SQLite, go into a temporary staging table (COPY on
PostgreSQL, executemany on SQLite), then one INSERT … SELECT / UPDATE … FROM per table.

Column lists come from the models' metadata, so a field another app adds later gets
its default instead of breaking the import.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter

from django.db import connection, models

STAGE = "kehu_import_stage"


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class StageColumn:
    name: str
    field: models.Field


def _sqlite_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def stage_create(cursor, columns: list[StageColumn]) -> None:
    definition = ", ".join(f"{qn(c.name)} {c.field.db_type(connection)}" for c in columns)
    cursor.execute(f"DROP TABLE IF EXISTS {qn(STAGE)}")
    suffix = " ON COMMIT DROP" if is_postgresql() else ""
    cursor.execute(f"CREATE TEMPORARY TABLE {qn(STAGE)} ({definition}){suffix}")


def stage_load(cursor, columns: list[StageColumn], rows: Iterable[tuple], *,
               analyze: bool = True) -> None:
    names = ", ".join(qn(c.name) for c in columns)
    if is_postgresql():
        raw = cursor.cursor  # psycopg's own cursor under Django's wrapper
        with raw.copy(f"COPY {qn(STAGE)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if analyze:
            # A temporary table has no statistics until analysed; without them the planner
            # guesses a handful of rows and joins 100,000 of them by nested loops.
            cursor.execute(f"ANALYZE {qn(STAGE)}")
        return
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {qn(STAGE)} ({names}) VALUES ({marks})",
                       [tuple(_sqlite_value(v) for v in row) for row in rows])


def stage_drop(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {qn(STAGE)}")


def _default_sql(field: models.Field, now) -> tuple[str, list]:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return "%s", [connection.ops.adapt_datetimefield_value(now)]
    if field.has_default():
        return "%s", [field.get_db_prep_save(field.get_default(), connection)]
    if field.null:
        return "NULL", []
    return "%s", [field.get_db_prep_save(field.get_default(), connection)]


def insert_select_sql(model, *, values: dict[str, tuple[str, list]], source: str,
                      source_params: list | None = None, now,
                      with_pk: bool = False) -> tuple[str, list]:
    """`INSERT INTO model's table (every concrete column) SELECT …`: the SQL expression
    given in `values` (by attname), or the field's default; `source` is the `FROM …
    WHERE …` part. An auto primary key is left to the database unless `with_pk`."""
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField) and not with_pk:
            continue
        expression, expression_params = values.get(field.attname) or _default_sql(field, now)
        columns.append(qn(field.column))
        expressions.append(expression)
        params.extend(expression_params)
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(columns)}) "
           f"SELECT {', '.join(expressions)} {source}")
    return sql, [*params, *(source_params or [])]


def insert_select(cursor, model, **kwargs) -> int:
    """Run `insert_select_sql`; returns the number of rows inserted."""
    cursor.execute(*insert_select_sql(model, **kwargs))
    return cursor.rowcount


def reserve_ids(cursor, model, count: int) -> list[int]:
    """`count` fresh values of the model's id sequence (PostgreSQL), so rows written
    later can name their cards without joining back to them."""
    if not count:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                   "FROM generate_series(1, %s)", [qn(table), pk, count])
    return [row[0] for row in cursor.fetchall()]


def with_ctes(ctes: list[tuple[str, tuple[str, list]]], final: tuple[str, list]
              ) -> tuple[str, list]:
    """`WITH name AS (statement), … final` with the parameters in order (PostgreSQL's
    data-modifying CTEs: every statement runs once, on the same snapshot)."""
    parts, params = [], []
    for name, (statement, statement_params) in ctes:
        parts.append(f"{name} AS ({statement})")
        params.extend(statement_params)
    return f"WITH {', '.join(parts)} {final[0]}", [*params, *final[1]]


def history_values(history_model, model, alias: str, *, now, history_type_sql: str,
                   reason: str, user_id: int | None) -> dict[str, tuple[str, list]]:
    """The `values` of `insert_select` for a simple_history table: tracked columns from
    the row under `alias`, plus date, type, reason and user."""
    tracked = {f.attname: f.column for f in model._meta.concrete_fields}
    values: dict[str, tuple[str, list]] = {}
    for field in history_model._meta.concrete_fields:
        if field.attname in tracked:
            values[field.attname] = (f"{alias}.{qn(tracked[field.attname])}", [])
    values["history_date"] = ("%s", [connection.ops.adapt_datetimefield_value(now)])
    values["history_type"] = (history_type_sql, [])
    values["history_change_reason"] = ("%s", [reason[:100]])
    values["history_user_id"] = ("%s", [user_id])
    return values


def default_value(field: models.Field, now):
    """What `_default_sql` gives the column, as a Python value (for COPY)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default() or not field.null:
        return field.get_db_prep_save(field.get_default(), connection)
    return None


@dataclass(frozen=True)
class CopyLayout:
    """`COPY table (columns) FROM STDIN` and how to make a row of it from a plan (a
    dict): the columns taken from the plan first, then those with one value for all."""

    statement: str
    row: Callable[[dict], tuple]
    types: tuple[int, ...] | None  # binary COPY with these type oids; None: text


def copy_layout(model, *, keys: dict[str, str], fixed: dict, now) -> CopyLayout:
    """Every concrete column of the model: the plan's value under `keys[attname]`, else
    `fixed[attname]`, else the field's default (`now` for auto_now fields). An auto
    primary key not in `keys` is left to the database."""
    taken, constant, values = [], [], []
    for field in model._meta.concrete_fields:
        if field.attname in keys:
            taken.append(field)
        elif field.primary_key and isinstance(field, models.AutoField):
            continue
        else:
            constant.append(field)
            values.append(fixed[field.attname] if field.attname in fixed
                          else default_value(field, now))
    names = [keys[field.attname] for field in taken]
    tail = tuple(values)
    if len(names) == 1:
        name = names[0]
        row = lambda plan: (plan[name], *tail)  # noqa: E731
    else:
        get = itemgetter(*names)
        row = lambda plan: get(plan) + tail  # noqa: E731
    fields = (*taken, *constant)
    columns = ", ".join(qn(field.column) for field in fields)
    statement = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
    types = _binary_types(fields)
    if types is not None:
        statement += " (FORMAT BINARY)"
    return CopyLayout(statement, row, types)


def _binary_types(fields) -> tuple[int, ...] | None:
    """The columns' type oids for a binary COPY (PostgreSQL parses no text: ~0.5 s less
    of its CPU for 100,000 cards, and psycopg dumps faster), or None when one of them is
    not a plain type psycopg knows by name."""
    from psycopg.postgres import types

    oids = []
    for field in fields:
        name = re.sub(r"\(.*\)", "", field.db_type(connection) or "").strip()
        info = types.get(name)
        if info is None:
            return None
        oids.append(info.oid)
    return tuple(oids)


def history_layout(history_model, model, *, keys: dict[str, str], fixed: dict, now,
                   history_type: str, reason: str, user_id: int | None) -> CopyLayout:
    """The simple_history rows of rows written with `copy_layout(model, keys=…,
    fixed=…)`: the same values for the tracked columns, plus date, type, reason, user."""
    tracked = {f.attname: f for f in model._meta.concrete_fields}
    history_keys, history_fixed = {}, {}
    for field in history_model._meta.concrete_fields:
        name = field.attname
        if name not in tracked:
            continue
        if name in keys:
            history_keys[name] = keys[name]
        else:
            history_fixed[name] = fixed[name] if name in fixed else \
                default_value(tracked[name], now)
    history_fixed.update(history_date=now, history_type=history_type,
                         history_change_reason=reason[:100], history_user_id=user_id)
    return copy_layout(history_model, keys=history_keys, fixed=history_fixed, now=now)


def copy_rows(cursor, layout: CopyLayout, plans: Iterable[dict]) -> None:
    """COPY a row per plan (PostgreSQL); database errors raised as Django's."""
    make = layout.row
    with connection.wrap_database_errors, cursor.cursor.copy(layout.statement) as copy:
        if layout.types is not None:
            copy.set_types(layout.types)
        write = copy.write_row
        for plan in plans:
            write(make(plan))


def column_type(field: models.Field) -> models.Field:
    """A free-standing field of the same database type (for staging columns)."""
    if isinstance(field, models.ForeignKey):
        return models.BigIntegerField()
    return field
