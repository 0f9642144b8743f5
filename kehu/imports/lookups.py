"""Looking up thousands of values at once: a PostgreSQL array, or chunks elsewhere."""

from collections.abc import Iterable, Iterator

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

SQLITE_CHUNK = 900  # under SQLite's oldest limit of 999 parameters


def filtered_in(queryset: QuerySet, field: str, values: Iterable[str]) -> Iterator[QuerySet]:
    """`queryset` filtered to rows whose text `field` is one of `values`: one query with
    `field IN (SELECT unnest(array))` on PostgreSQL (one parameter, however many values),
    chunks of IN lists on SQLite."""
    values = sorted(set(values))
    if not values:
        return
    if connection.vendor == "postgresql":
        yield queryset.filter(**{f"{field}__in": RawSQL("SELECT unnest(%s::text[])",
                                                        (values,))})
        return
    for start in range(0, len(values), SQLITE_CHUNK):
        yield queryset.filter(**{f"{field}__in": values[start:start + SQLITE_CHUNK]})
