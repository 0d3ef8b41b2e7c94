from django.urls import path

from ranan.hazards import api

urlpatterns = [
    path("hazards/", api.HazardList.as_view(), name="api-hazard-list"),
    path("hazards/<int:pk>/", api.HazardDetail.as_view(), name="api-hazard"),
    path("hazards/<int:pk>/transitions", api.TransitionView.as_view(),
         name="api-hazard-transitions"),
    path("hazards/<int:pk>/notice.pdf", api.NoticeView.as_view(), name="api-hazard-notice"),
]
