"""The working-day calendar now belongs to accounts (accounts 0004 took over the models).

State only for the tables: they keep their names and rows. The two content types are
relabelled to accounts, so permissions granted on the calendar and the admin's history of
its rows follow the models (on a new database there are none yet: nothing to do).
"""

from django.db import migrations

MODELS = ["calendaryear", "calendarday"]


def relabel(apps, from_label: str, to_label: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if ContentType.objects.filter(app_label=to_label, model=model).exists():
            continue  # already there (left for remove_stale_contenttypes)
        ContentType.objects.filter(app_label=from_label, model=model).update(app_label=to_label)


def forwards(apps, schema_editor) -> None:
    relabel(apps, "expenses", "accounts")


def backwards(apps, schema_editor) -> None:
    relabel(apps, "accounts", "expenses")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_calendar'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('expenses', '0004_snapshot_rows_without_retailer_constraint'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name='CalendarDay'),
            migrations.DeleteModel(name='CalendarYear'),
        ]),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
