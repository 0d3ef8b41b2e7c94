from django.urls import path

from ranan.delivery import api

urlpatterns = [
    path("orders/", api.OrderList.as_view(), name="api-order-list"),
    path("orders/<int:pk>/", api.OrderDetail.as_view(), name="api-order"),
    path("orders/<int:pk>/deliver", api.DeliverView.as_view(), name="api-order-deliver"),
    path("rounds/", api.RoundList.as_view(), name="api-round-list"),
    path("rounds/<int:pk>/plan", api.PlanView.as_view(), name="api-round-plan"),
    path("delivery-report/", api.ReportView.as_view(), name="api-delivery-report"),
]
