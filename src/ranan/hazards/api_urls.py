from django.urls import path

from ranan.hazards import api, api_appointments, api_catalogue, api_property

urlpatterns = [
    path("hazards/", api.HazardList.as_view(), name="api-hazard-list"),
    path("hazard-categories/", api_catalogue.CategoryList.as_view(),
         name="api-hazard-category-list"),
    path("hazard-categories/<int:pk>/", api_catalogue.CategoryDetail.as_view(),
         name="api-hazard-category"),
    path("hazard-deadlines/", api_catalogue.DeadlineList.as_view(),
         name="api-hazard-deadline-list"),
    path("hazard-deadlines/<int:pk>/", api_catalogue.DeadlineDetail.as_view(),
         name="api-hazard-deadline"),
    path("hazards/<int:pk>/", api.HazardDetail.as_view(), name="api-hazard"),
    path("hazards/<int:pk>/transitions", api.TransitionView.as_view(),
         name="api-hazard-transitions"),
    path("hazards/<int:pk>/notice.pdf", api.NoticeView.as_view(), name="api-hazard-notice"),
    # Visits booked with residents (issue 14 item 6), rectification by category (item 9).
    path("hazards/<int:pk>/appointments", api_appointments.HazardAppointments.as_view(),
         name="api-hazard-appointments"),
    path("hazard-appointments/", api_appointments.AppointmentList.as_view(),
         name="api-hazard-appointment-list"),
    path("hazard-appointments/<int:pk>/done", api_appointments.AppointmentDone.as_view(),
         name="api-hazard-appointment-done"),
    path("hazard-appointments/<int:pk>/cancel", api_appointments.AppointmentCancel.as_view(),
         name="api-hazard-appointment-cancel"),
    path("hazards/by-category/", api_appointments.ByCategory.as_view(),
         name="api-hazard-by-category"),
    path("hazards/by-category/records", api_appointments.ByCategoryRecords.as_view(),
         name="api-hazard-by-category-records"),
    # A property manager's estates (hazards/property.py).
    path("estates/", api_property.EstateList.as_view(), name="api-estate-list"),
    path("estates/hazards/", api_property.EstateHazardList.as_view(),
         name="api-estate-hazards"),
    path("estates/hazards/<int:pk>/", api_property.EstateHazardDetail.as_view(),
         name="api-estate-hazard"),
    path("estates/unreached/", api_property.EstateUnreached.as_view(),
         name="api-estate-unreached"),
    path("estates/messages/", api_property.EstateMessages.as_view(),
         name="api-estate-messages"),
    path("estates/high-rise-lpg", api_property.HighRiseReport.as_view(),
         name="api-estate-report"),
]
