"""Hazard pages (the API is in api_urls.py)."""

from django.urls import path

from ranan.hazards import views, views_appointments, views_kpis, views_property

urlpatterns = [
    path("", views.hazard_list, name="hazard-list"),
    path("new/", views.hazard_create, name="hazard-create"),
    path("supervision/", views.supervision, name="hazard-supervision"),
    path("summary/", views.summary, name="hazard-summary"),
    path("photos/<int:pk>", views.photo, name="hazard-photo"),
    path("<int:pk>/", views.hazard_detail, name="hazard-detail"),
    path("<int:pk>/notice.pdf", views.notice, name="hazard-notice"),
    # Visits booked with residents (issue 14 item 6) and rectification by category (item 9).
    path("<int:pk>/appointments/new/", views_appointments.book,
         name="hazard-appointment-book"),
    path("appointments/", views_appointments.appointment_list, name="hazard-appointments"),
    path("appointments/<int:pk>/close", views_appointments.close,
         name="hazard-appointment-close"),
    path("by-category/", views_kpis.by_category, name="hazard-by-category"),
    path("by-category/records/", views_kpis.category_records,
         name="hazard-category-records"),
    # A property manager's estates (hazards/property.py).
    path("estates/", views_property.estate_home, name="estate-home"),
    path("estates/report/", views_property.high_rise_report, name="estate-report"),
    path("estates/hazards/<int:pk>/", views_property.estate_hazard, name="estate-hazard"),
]
