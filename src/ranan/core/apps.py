from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ranan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from ranan.core import signals  # noqa: F401  (login/failed-login audit receivers)
