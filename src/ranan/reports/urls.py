from django.urls import include, path

from ranan.reports import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("big-screen/", views.big_screen, name="big-screen"),
    path("records/<str:kpi>/", views.records, name="kpi-records"),
    path("", include("ranan.reports.urls_briefing")),
]
