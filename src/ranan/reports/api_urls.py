from django.urls import include, path

from ranan.reports import api

urlpatterns = [
    path("kpis/", api.KpiView.as_view(), name="api-kpis"),
    path("kpis/timeseries", api.TimeseriesView.as_view(), name="api-kpis-timeseries"),
    path("kpis/breakdown", api.BreakdownView.as_view(), name="api-kpis-breakdown"),
    path("", include("ranan.reports.api_briefing")),
]
