"""Hand-written, portable SQL for the hottest reads (the rep's day), with the ORM's own
value conversion and the ORM's own scope filters.

The rep's day is read on every phone's start and refresh. Built as ORM querysets, its
reads spent more time being assembled and compiled in Python than PostgreSQL spent
running them, so they are written as SQL that runs on PostgreSQL and on SQLite: plain
joins, correlated subqueries with LIMIT, IN lists (no LATERAL, no arrays, no vendor
functions).

- `fetch` runs a statement and converts each column as the ORM would for its model
  field (on SQLite: decimals quantized, datetimes made aware, booleans from 0/1; JSON
  decoded on both), so the rows equal `.values()` rows.
- `scoped_sql` compiles a queryset that starts from `Model.objects.for_user(user)`, so
  who may see which row stays decided by the models' scope rules, never restated in
  SQL. A statement correlates it to its own rows with `RawSQL`; the compiled text is
  kept per scope (the user and their memberships' roles and nodes, all `scope_q` reads).
"""

from collections.abc import Callable, Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Field, QuerySet

from accounts.scoping import memberships_of

Columns = Sequence[tuple[str, Field | None]]  # output name, model field (None: as is)

_CONVERTERS: dict = {}
_SCOPED: dict = {}
_SCOPED_MAX = 2048


def placeholders(values) -> str:
    """`%s, %s, …` for an IN list (callers never pass an empty one)."""
    return ", ".join(["%s"] * len(values))


def _converters(columns: Columns) -> list[tuple[int, list, object]]:
    key = (connection.vendor, id(columns))
    found = _CONVERTERS.get(key)
    if found is None:
        found = []
        for index, (_name, field) in enumerate(columns):
            if field is None:
                continue
            column = field.get_col(field.model._meta.db_table)
            functions = (connection.ops.get_db_converters(column)
                         + column.get_db_converters(connection))
            if functions:
                found.append((index, functions, column))
        _CONVERTERS[key] = found
    return found


def fetch(sql: str, params: Sequence, columns: Columns) -> list[dict]:
    """The statement's rows as dicts named by `columns` (one per selected column, in
    order), each value converted as the ORM converts its field's values. `columns` must
    be a module-level constant: its converters are looked up once."""
    converters = _converters(columns)
    names = [name for name, _field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:
        rows = [list(row) for row in rows]
        for row in rows:
            for index, functions, column in converters:
                value = row[index]
                for function in functions:
                    value = function(value, column, connection)
                row[index] = value
    return [dict(zip(names, row, strict=True)) for row in rows]


def date_param(day):
    return connection.ops.adapt_datefield_value(day)


def scope_key(user) -> tuple:
    """Everything `accounts.scoping.scope_q` reads of the user."""
    if not user.is_authenticated:
        return (None,)
    return (user.pk, user.is_active, user.is_superuser,
            tuple((m.role, m.node.path) for m in memberships_of(user)))


def scoped_sql(name: str, user, build: Callable[[object], QuerySet]) -> tuple[str, tuple] | None:
    """`build(user)` compiled to (SQL, parameters); None when the user's scope is empty
    (the queryset can match no row). Compiled once per scope and `name`."""
    key = (name, connection.vendor, scope_key(user))
    try:
        return _SCOPED[key]
    except KeyError:
        pass
    try:
        found = build(user).query.sql_with_params()
    except EmptyResultSet:
        found = None
    if len(_SCOPED) >= _SCOPED_MAX:
        _SCOPED.clear()
    _SCOPED[key] = found
    return found
