from django.urls import path

from ranan.reports import api

urlpatterns = [path("kpis/", api.KpiView.as_view(), name="api-kpis")]
