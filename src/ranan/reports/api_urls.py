from django.urls import include, path

from ranan.reports import api

urlpatterns = [
    path("kpis/", api.KpiView.as_view(), name="api-kpis"),
    path("kpis/timeseries", api.TimeseriesView.as_view(), name="api-kpis-timeseries"),
    path("kpis/breakdown", api.BreakdownView.as_view(), name="api-kpis-breakdown"),
    # Aliases kept from issues 5 and 6, now views of the catalogue.
    path("inspection-kpis/", api.InspectionKpiView.as_view(), name="api-inspection-kpis"),
    path("hazards/kpis/", api.HazardKpiView.as_view(), name="api-hazard-kpis"),
    path("", include("ranan.reports.api_briefing")),
]
