"""Set-based writes: rows go into a temporary staging table (COPY on PostgreSQL,
executemany on SQLite), then one INSERT … SELECT / UPDATE … FROM per target table.

Column lists come from the models' metadata, so a field another app adds later gets
its default instead of breaking the import.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

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


def stage_load(cursor, columns: list[StageColumn], rows: Iterable[tuple]) -> None:
    names = ", ".join(qn(c.name) for c in columns)
    if is_postgresql():
        raw = cursor.cursor  # psycopg's own cursor under Django's wrapper
        with raw.copy(f"COPY {qn(STAGE)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
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


def insert_select(cursor, model, *, values: dict[str, tuple[str, list]], source: str,
                  source_params: list | None = None, now) -> int:
    """INSERT INTO model's table every concrete column (but an auto primary key): the
    SQL expression given in `values` (by attname), or the field's default; `source` is
    the `FROM … WHERE …` part. Returns the number of rows inserted."""
    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField):
            continue
        expression, expression_params = values.get(field.attname) or _default_sql(field, now)
        columns.append(qn(field.column))
        expressions.append(expression)
        params.extend(expression_params)
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(columns)}) "
           f"SELECT {', '.join(expressions)} {source}")
    cursor.execute(sql, [*params, *(source_params or [])])
    return cursor.rowcount


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


def column_type(field: models.Field) -> models.Field:
    """A free-standing field of the same database type (for staging columns)."""
    if isinstance(field, models.ForeignKey):
        return models.BigIntegerField()
    return field
