from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CylindersConfig(AppConfig):
    name = "ranan.cylinders"
    label = "cylinders"
    verbose_name = _("Cylinders")
