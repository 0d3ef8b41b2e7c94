from django.db import migrations


def install(apps, schema_editor):
    from ranan.hazards.catalogue import install as seed
    from ranan.hazards.catalogue import install_duties

    Category = apps.get_model("hazards", "Category")
    # Adds the categories new since 0002 (high_rise_lpg), then each one's fix and department.
    seed(Category, apps.get_model("hazards", "GradeDeadline"))
    install_duties(Category)


class Migration(migrations.Migration):
    dependencies = [("hazards", "0005_duties_and_appointments")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
