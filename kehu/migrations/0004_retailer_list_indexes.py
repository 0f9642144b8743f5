"""Indexes for the retailer list, ordered by (name, id) and cursor-paged 50 at a time.

Chosen from EXPLAIN ANALYZE at 1,000,000 retailers (bench/README.md):
- (name, id): a manager's scope (a third of the company for a regional manager) is a walk
  in list order that skips rows outside the scope: ~1 ms instead of a 420 ms sort.
- (assigned_rep, name, id) and (area, name, id): a rep's rows, an area's rows, in list
  order with the `id` tie-break of the cursor, so a page is an ordered walk of 51 rows.
They replace (assigned_rep, name) and (area, name), which left the `id` tie-break to a sort.

On PostgreSQL only, extended statistics tell the planner that a rep determines the area
(reps sit at one area), so "this rep in this area" is estimated at the rep's ~3,000 rows
and not at 3,000 × 1/66; with the wrong estimate it sorts all of them instead of walking
the index (this pays off once the rep's scope names the area by id, see the README).
"""

from django.conf import settings
from django.db import migrations, models

STATISTICS = "retailer_rep_area_dependency"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (dependencies) "
            "ON assigned_rep_id, area_id FROM kehu_retailer")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_idempotency_record"),
        ("kehu", "0003_import_batch"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="retailer", name="retailer_rep_name"),
        migrations.RemoveIndex(model_name="retailer", name="retailer_area_name"),
        migrations.AddIndex(
            model_name="retailer",
            index=models.Index(fields=["assigned_rep", "name", "id"],
                               name="retailer_rep_name_id"),
        ),
        migrations.AddIndex(
            model_name="retailer",
            index=models.Index(fields=["area", "name", "id"], name="retailer_area_name_id"),
        ),
        migrations.AddIndex(
            model_name="retailer",
            index=models.Index(fields=["name", "id"], name="retailer_name_id"),
        ),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
