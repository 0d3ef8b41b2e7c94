from django.urls import path

from ranan.hazards import api, api_catalogue

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
]
