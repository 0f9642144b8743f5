"""Monthly business facts from the order system: one row per retailer and month.

Re-importing a month replaces that month's facts: the write is an upsert on the
(retailer, month) unique constraint, so there are never duplicates.
"""

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kehu.imports import sql
from kehu.imports.base import Importer, Record
from kehu.imports.columns import FACT_COLUMNS
from kehu.imports.lookups import filtered_in
from kehu.models import MonthlyFact, Retailer

AMOUNTS = ("purchase_amount", "purchase_quantity", "collected_amount", "order_success_rate",
           "e_settlement_rate")


def in_scope_ids(actor, company, codes: set[str]) -> dict[str, int]:
    """code → id of the retailers among `codes` that `actor` may reach."""
    found: dict[str, int] = {}
    for queryset in filtered_in(Retailer.objects.for_user(actor).filter(company=company),
                                "code", codes):
        found.update(queryset.values_list("code", "id"))
    return found


class FactImporter(Importer):
    kind = "facts"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.columns = FACT_COLUMNS
        self.ids: dict[str, int] = {}
        self.seen: dict[tuple[str, object], int] = {}
        self.plan: list[tuple] = []

    def lookup(self, codes: set[str]) -> dict[str, int]:
        """code → id of the retailers among `codes` this import may write facts for."""
        return in_scope_ids(self.actor, self.company, codes)

    def feed(self, records: list[Record]) -> None:
        codes = {r.values["code"] for r in records if "code" in r.values} - set(self.ids)
        self.ids.update(self.lookup(codes))
        for record in records:
            values = record.values
            code, month = values.get("code"), values.get("month")
            retailer_id = self.ids.get(code)
            if code is not None and retailer_id is None:
                # Outside the importer's scope reads the same as absent: no existence leak.
                self.error(record.row, "code", _("Unknown retailer code “%(code)s”.")
                           % {"code": code})
            if code is not None and month is not None:
                first = self.seen.setdefault((code, month), record.row)
                if first != record.row:
                    self.error(record.row, "month", _(
                        "Retailer %(code)s has %(month)s on row %(row)d already.")
                        % {"code": code, "month": f"{month:%Y-%m}", "row": first})
                    continue
            if not record.bad and retailer_id is not None:
                self.plan.append((record.row, retailer_id, month,
                                  *(values[key] for key in AMOUNTS)))

    def write(self) -> dict:
        stage = [sql.StageColumn("rownum", models.IntegerField()),
                 sql.StageColumn("retailer_id", models.BigIntegerField()),
                 sql.StageColumn("month", MonthlyFact._meta.get_field("month")),
                 *(sql.StageColumn(key, MonthlyFact._meta.get_field(key)) for key in AMOUNTS)]
        now = timezone.now()
        table = sql.qn(MonthlyFact._meta.db_table)
        updates = ", ".join(f"{sql.qn(c)} = excluded.{sql.qn(c)}"
                            for c in (*AMOUNTS, "imported_at"))
        values = {"retailer_id": ("s.retailer_id", []), "month": ("s.month", []),
                  **{key: (f"s.{sql.qn(key)}", []) for key in AMOUNTS}}
        with transaction.atomic(), connection.cursor() as cursor:
            sql.stage_create(cursor, stage)
            sql.stage_load(cursor, stage, self.plan)
            cursor.execute(
                f"SELECT COUNT(*) FROM {sql.qn(sql.STAGE)} s JOIN {table} f "
                "ON f.retailer_id = s.retailer_id AND f.month = s.month")
            replaced = cursor.fetchone()[0]
            # "WHERE 1 = 1" lets SQLite tell the SELECT from the ON CONFLICT clause.
            sql.insert_select(
                cursor, MonthlyFact, values=values, now=now,
                source=f"FROM {sql.qn(sql.STAGE)} s WHERE 1 = 1 "
                       f"ON CONFLICT (retailer_id, month) DO UPDATE SET {updates}")
            sql.stage_drop(cursor)
        return {"facts": len(self.plan), "added": len(self.plan) - replaced,
                "replaced": replaced}
