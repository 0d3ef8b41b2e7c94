from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ranan.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from datetime import timedelta

        from ranan.core.context_processors import NAVIGATION
        from ranan.core.permissions import has_data_role
        from ranan.core.tasks import PERIODIC_JOBS
        from ranan.reports.tasks import warm_figures

        if all(job is not warm_figures for job, _interval in PERIODIC_JOBS):
            PERIODIC_JOBS.append((warm_figures, timedelta(hours=1)))

        # Right after Home: the figures are what regulators open first.
        from ranan.core.views import HOME_PANELS
        from ranan.reports.views import home_panel

        if home_panel not in HOME_PANELS:
            HOME_PANELS.append(home_panel)
        if "dashboard" not in [e[0] for e in NAVIGATION]:
            NAVIGATION.insert(1, ("dashboard", _("Dashboard"), has_data_role))
