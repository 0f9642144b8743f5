from django.db import migrations


def seed(apps, schema_editor):
    from django.utils import translation

    from kehu.criteria import CRITERIA

    Criterion = apps.get_model("kehu", "RelationshipCriterion")
    with translation.override("zh-hans"):
        for position, (level, code, label) in enumerate(CRITERIA):
            Criterion.objects.update_or_create(
                code=code, defaults={"level": level, "text": str(label), "position": position})


class Migration(migrations.Migration):
    dependencies = [("kehu", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
