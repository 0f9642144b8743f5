import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_idempotency_record"),
        ("reports", "0004_area_grade_month"),
    ]

    operations = [
        migrations.CreateModel(
            name="AreaProblemDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("node_path", models.CharField(max_length=255, verbose_name="area path")),
                ("due_date", models.DateField(verbose_name="due date")),
                ("unsolved", models.PositiveIntegerField(default=0,
                                                         verbose_name="unsolved problems")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("area", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           related_name="+", to="accounts.orgnode",
                                           verbose_name="area")),
            ],
            options={
                "verbose_name": "area's unsolved problems by due date",
                "verbose_name_plural": "areas' unsolved problems by due date",
                "ordering": ["node_path", "due_date"],
                "indexes": [models.Index(fields=["node_path", "due_date"],
                                         name="area_problem_path_due",
                                         opclasses=["varchar_pattern_ops", "date_ops"])],
                "constraints": [models.UniqueConstraint(fields=("area", "due_date"),
                                                        name="area_problem_day_unique")],
            },
        ),
    ]
