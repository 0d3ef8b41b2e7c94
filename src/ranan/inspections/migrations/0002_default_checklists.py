from django.db import migrations


def install(apps, schema_editor):
    from ranan.inspections.catalogue import install_defaults

    install_defaults(apps.get_model("inspections", "Checklist"),
                     apps.get_model("inspections", "ChecklistItem"))


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
