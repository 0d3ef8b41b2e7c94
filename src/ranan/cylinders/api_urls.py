from django.urls import path

from ranan.cylinders import api, api_import, api_types

urlpatterns = [
    path("cylinders/", api.CylinderListView.as_view(), name="api-cylinder-list"),
    path("cylinders/scan", api.ScanView.as_view(), name="api-cylinder-scan"),
    path("cylinders/labels", api.LabelsView.as_view(), name="api-cylinder-labels"),
    path("cylinders/labels/<int:pk>", api.LabelBatchView.as_view(), name="api-cylinder-label-batch"),
    path("cylinders/carried/", api.CarriedView.as_view(), name="api-cylinder-carried"),
    path("cylinders/recall/", api.RecallView.as_view(), name="api-cylinder-recall"),
    path("cylinders/import", api_import.ImportView.as_view(), name="api-cylinder-import"),
    path("cylinder-types/", api_types.CylinderTypeList.as_view(), name="api-cylinder-type-list"),
    path("cylinder-types/<int:pk>/", api_types.CylinderTypeDetail.as_view(),
         name="api-cylinder-type"),
    path("cylinders/<str:code>/", api.CylinderView.as_view(), name="api-cylinder"),
    path("cylinders/<str:code>/events/", api.CylinderEventsView.as_view(), name="api-cylinder-events"),
]
