from django.db import migrations


def install(apps, schema_editor):
    from ranan.hazards.catalogue import install as seed

    seed(apps.get_model("hazards", "Category"), apps.get_model("hazards", "GradeDeadline"))


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
