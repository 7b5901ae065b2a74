from django.db import migrations


def add_default_categories(apps, schema_editor):
    from risks.status import DEFAULT_CATEGORIES

    RiskCategory = apps.get_model("risks", "RiskCategory")
    for order, (code, name, appetite, statement) in enumerate(DEFAULT_CATEGORIES, start=1):
        RiskCategory.objects.get_or_create(
            code=code, defaults={"name": name, "appetite": appetite, "statement": statement, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(add_default_categories, migrations.RunPython.noop)]
