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


def column_type(field: models.Field) -> models.Field:
    """A free-standing field of the same database type (for staging columns)."""
    if isinstance(field, models.ForeignKey):
        return models.BigIntegerField()
    return field
