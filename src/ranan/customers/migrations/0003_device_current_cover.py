from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0002_trigram_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="device",
            index=models.Index(condition=models.Q(("removed_on__isnull", True)),
                               fields=["customer", "kind"],
                               include=("material", "self_closing", "has_cutoff", "installed_on"),
                               name="device_current_cover"),
        ),
    ]
