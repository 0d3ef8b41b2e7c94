"""Delivery pages (the API is in api_urls.py)."""

from django.urls import path

from ranan.delivery import views, views_reference

urlpatterns = [
    path("", views.home, name="delivery-home"),
    path("orders/new/", views.order_new, name="delivery-order-new"),
    path("orders/<int:pk>/", views.order_detail, name="delivery-order"),
    path("orders/<int:pk>/deliver/", views.deliver, name="delivery-deliver"),
    path("orders/<int:pk>/fail/", views.fail, name="delivery-fail"),
    path("orders/<int:pk>/assign/", views.assign, name="delivery-assign"),
    path("orders/<int:pk>/release/", views.release, name="delivery-release"),
    path("orders/<int:pk>/cancel/", views.cancel, name="delivery-cancel"),
    path("station/", views.station, name="delivery-station"),
    path("station/prices/", views_reference.prices, name="delivery-prices"),
    path("station/prices/new/", views_reference.price_new, name="delivery-price-new"),
    path("station/prices/<int:pk>/", views_reference.price_edit, name="delivery-price-edit"),
    path("station/hours/", views_reference.service_hours, name="delivery-hours"),
    path("station/villages/", views_reference.cycles, name="delivery-cycles"),
    path("station/villages/new/", views_reference.cycle_new, name="delivery-cycle-new"),
    path("station/villages/<int:pk>/", views_reference.cycle_edit, name="delivery-cycle-edit"),
    path("rounds/", views.rounds, name="delivery-rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="delivery-round"),
    path("rounds/<int:pk>/plan/", views.plan, name="delivery-plan"),
    path("rounds/<int:pk>/load/", views.load, name="delivery-load"),
    path("report/", views.report, name="delivery-report"),
]
