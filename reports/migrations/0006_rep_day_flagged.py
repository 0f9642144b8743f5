"""RepDay.flagged: visits with any check-in flag (too far, no GPS), each once.

The rows already written get it from the visit log in one set-based UPDATE … FROM (the
nightly fill only redoes the current month, so past months would otherwise read 0);
PostgreSQL and SQLite (3.33+) both run it.
"""

from django.db import migrations, models


def fill_flagged(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    rep_day = quote(apps.get_model("reports", "RepDay")._meta.db_table)
    visit = quote(apps.get_model("visits", "Visit")._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"""
UPDATE {rep_day} SET flagged = f.n
FROM (SELECT rep_id, visit_date, COUNT(*) AS n FROM {visit}
      WHERE far_from_store OR gps_missing GROUP BY rep_id, visit_date) AS f
WHERE {rep_day}.rep_id = f.rep_id AND {rep_day}.day = f.visit_date
""")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_area_problem_day"),
        ("visits", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="repday",
            name="flagged",
            field=models.PositiveIntegerField(default=0, verbose_name="flagged check-ins"),
        ),
        migrations.RunPython(fill_flagged, migrations.RunPython.noop, elidable=True),
    ]
