import django.db.models.deletion
from django.db import migrations, models


def _count(label):
    return models.PositiveIntegerField(default=0, verbose_name=label)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_idempotency_record"),
        ("reports", "0003_export_job"),
    ]

    operations = [
        migrations.CreateModel(
            name="AreaGradeMonth",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("node_path", models.CharField(max_length=255, verbose_name="area path")),
                ("month", models.DateField(verbose_name="month")),
                ("grade", models.CharField(blank=True, max_length=1, verbose_name="grade")),
                ("retailers", _count("retailers")),
                ("moved_in", _count("moved into the grade")),
                ("moved_out", _count("moved out of the grade")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("area", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           related_name="+", to="accounts.orgnode",
                                           verbose_name="area")),
            ],
            options={
                "verbose_name": "area's grades in a month",
                "verbose_name_plural": "areas' grades by month",
                "ordering": ["-month", "node_path", "grade"],
                "indexes": [models.Index(fields=["node_path", "month"],
                                         name="area_grade_path_month",
                                         opclasses=["varchar_pattern_ops", "date_ops"])],
                "constraints": [models.UniqueConstraint(fields=("area", "month", "grade"),
                                                        name="area_grade_month_unique")],
            },
        ),
    ]
