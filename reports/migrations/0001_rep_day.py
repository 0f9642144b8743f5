import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _count(label):
    return models.PositiveIntegerField(default=0, verbose_name=label)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_idempotency_record"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RepDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("day", models.DateField(verbose_name="day")),
                ("node_path", models.CharField(max_length=255, verbose_name="area path")),
                ("planned", _count("planned stops")),
                ("done", _count("planned stops done on their day")),
                ("missed", _count("missed with a reason")),
                ("visits", _count("visits")),
                ("on_site", _count("on-site visits")),
                ("phone", _count("phone visits")),
                ("care", _count("care calls")),
                ("far", _count("check-ins far from the store")),
                ("no_gps", _count("check-ins without GPS")),
                ("problems_raised", _count("problems raised")),
                ("problems_solved", _count("problems solved")),
                ("info_items", _count("information items fed back")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("area", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                           related_name="+", to="accounts.orgnode",
                                           verbose_name="area")),
                ("rep", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                          related_name="+", to=settings.AUTH_USER_MODEL,
                                          verbose_name="rep")),
            ],
            options={
                "verbose_name": "rep's day",
                "verbose_name_plural": "reps' days",
                "ordering": ["-day", "rep_id"],
                "indexes": [
                    models.Index(fields=["node_path", "day"], name="rep_day_path_day",
                                 opclasses=["varchar_pattern_ops", "date_ops"]),
                    models.Index(fields=["day"], name="rep_day_day"),
                ],
                "constraints": [models.UniqueConstraint(fields=("rep", "day"),
                                                        name="rep_day_unique")],
            },
        ),
    ]
