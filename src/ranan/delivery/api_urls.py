from django.urls import path

from ranan.delivery import api, api_reference

urlpatterns = [
    path("orders/", api.OrderList.as_view(), name="api-order-list"),
    path("orders/<int:pk>/", api.OrderDetail.as_view(), name="api-order"),
    path("orders/<int:pk>/deliver", api.DeliverView.as_view(), name="api-order-deliver"),
    path("orders/<int:pk>/release", api.ReleaseView.as_view(), name="api-order-release"),
    path("orders/<int:pk>/cancel", api.CancelView.as_view(), name="api-order-cancel"),
    path("rounds/", api.RoundList.as_view(), name="api-round-list"),
    path("rounds/<int:pk>/", api_reference.RoundDetail.as_view(), name="api-round"),
    path("prices/", api_reference.PriceList.as_view(), name="api-price-list"),
    path("prices/<int:pk>/", api_reference.PriceDetail.as_view(), name="api-price"),
    path("service-hours/", api_reference.ServiceList.as_view(), name="api-service-list"),
    path("service-hours/<int:pk>/", api_reference.ServiceDetail.as_view(), name="api-service"),
    path("village-cycles/", api_reference.VillageRoundList.as_view(),
         name="api-village-cycle-list"),
    path("village-cycles/<int:pk>/", api_reference.VillageRoundDetail.as_view(),
         name="api-village-cycle"),
    path("rounds/<int:pk>/plan", api.PlanView.as_view(), name="api-round-plan"),
    path("rounds/<int:pk>/load", api.LoadView.as_view(), name="api-round-load"),
    path("delivery-report/", api.ReportView.as_view(), name="api-delivery-report"),
]
